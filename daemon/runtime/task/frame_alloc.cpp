#include "runtime/task/frame_alloc.hpp"

#include "runtime/util/block_cache.hpp"

namespace weft::task::frame_layout {

void* allocate_block(std::size_t bytes) { return detail::block_cache::allocate(bytes); }

// The frame's size is gone with the frame: the cache finds the block's class itself.
void free_block(void* block) noexcept { detail::block_cache::deallocate(block, 0); }

}  // namespace weft::task::frame_layout

namespace weft::task {

void destroy_frame(std::coroutine_handle<> coroutine) noexcept { coroutine.destroy(); }

}  // namespace weft::task
