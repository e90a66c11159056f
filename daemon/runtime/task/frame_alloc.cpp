#include "runtime/task/frame_alloc.hpp"

#include "runtime/util/block_cache.hpp"

namespace weft::task::frame_layout {

void* allocate_block(std::size_t bytes) { return detail::block_cache::allocate(bytes); }

void free_block(void* block, std::size_t bytes) noexcept {
    detail::block_cache::deallocate(block, bytes);
}

}  // namespace weft::task::frame_layout

namespace weft::task {

void destroy_frame(std::coroutine_handle<> coroutine) noexcept { coroutine.destroy(); }

}  // namespace weft::task
