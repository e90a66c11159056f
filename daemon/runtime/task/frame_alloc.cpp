#include "runtime/task/frame_alloc.hpp"

#include <cstdlib>
#include <new>

#include "runtime/task/header.hpp"

namespace weft::task {

void* allocate_frame(std::size_t frame_size) {
    void* block = std::malloc(sizeof(Header) + frame_size);
    if (!block) throw std::bad_alloc();
    auto* header = ::new (block) Header();
    return header->frame();
}

void deallocate_frame(void* frame) noexcept {
    Header* header = Header::from_frame(frame);
    if (header->state.load(std::memory_order_relaxed) != 0) return;  // the task frees the block
    header->~Header();
    std::free(header);
}

void free_block(void* frame) noexcept {
    Header* header = Header::from_frame(frame);
    header->~Header();
    std::free(header);
}

}  // namespace weft::task
