// The allocator of every weft::Task coroutine frame.
//
// Each frame is allocated with room for a task Header in front of it. A coroutine that is only
// awaited (a child) never uses the header: its state word stays 0 and destroying the frame frees
// the block. A spawned coroutine's header is live: destroying its frame (on cancellation) leaves
// the block, which the task frees when its last reference goes (harness.cpp: dealloc).
#pragma once

#include <cstddef>

namespace weft::task {

[[nodiscard]] void* allocate_frame(std::size_t frame_size);
void deallocate_frame(void* frame) noexcept;
// Frees the whole block of a spawned task whose frame was already destroyed.
void free_block(void* frame) noexcept;

}  // namespace weft::task
