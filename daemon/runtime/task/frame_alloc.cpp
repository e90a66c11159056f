#include "runtime/task/frame_alloc.hpp"

#include <cstdlib>

namespace weft::task::frame_layout {

void* allocate_block(std::size_t bytes) {
    void* block = std::malloc(bytes);
    if (!block) throw std::bad_alloc();
    return block;
}

void free_block(void* block) noexcept { std::free(block); }

}  // namespace weft::task::frame_layout

namespace weft::task {

void destroy_frame(std::coroutine_handle<> coroutine) noexcept { coroutine.destroy(); }

}  // namespace weft::task
