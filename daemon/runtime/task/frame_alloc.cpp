#include "runtime/task/frame_alloc.hpp"

#include <cstdlib>

namespace weft::task {
namespace frame_layout {

void* allocate_block(std::size_t bytes) {
    void* block = std::malloc(bytes);
    if (!block) throw std::bad_alloc();
    return block;
}

void free_block(void* block) noexcept { std::free(block); }

}  // namespace frame_layout

void deallocate_frame(void* frame) noexcept {
    Header* header = Header::from_frame(frame);
    if (header->state.load(std::memory_order_relaxed) != 0) return;  // the task frees the block
    release_block(header);
}

}  // namespace weft::task
