// The allocator of every weft::Task coroutine frame, and where a coroutine's result lives.
//
// One block per coroutine:
//
//     [ Output<T> ][ BlockTail ][ Header ][ coroutine frame ... ]
//                                        ^ the address the coroutine sees
//
// The result (value or exception) is kept outside the frame, so that a spawned task's frame
// (its locals and its parameters: a Sender passed by value, say) is destroyed the moment the task
// completes, as Tokio drops a future once it is ready, while the JoinHandle can still take the
// output later.
//
// A coroutine that is only awaited (a child) never uses the header: its state word stays 0, and
// destroying its frame frees the block. A spawned coroutine's header is live: destroying its
// frame leaves the block, which the task frees when its last reference goes (release_block).
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>

#include "runtime/task/header.hpp"

namespace weft::task {

// The value a coroutine returned; nothing for a `void` coroutine.
template <class T>
struct Output {
    std::optional<T> value;
};
template <>
struct Output<void> {};

// Between the output and the header, at a fixed offset from the header: what a type-erased
// owner (the harness) needs to free the block, and the exception the coroutine ended with.
struct alignas(16) BlockTail {
    void (*release)(Header*) noexcept;  // destroys the output and frees the whole block
    std::exception_ptr error;
};
static_assert(sizeof(BlockTail) == 16);

namespace frame_layout {

constexpr std::size_t round16(std::size_t n) noexcept { return (n + 15) & ~std::size_t{15}; }

template <class T>
inline constexpr std::size_t kOutputBytes = std::is_void_v<T> ? 0 : round16(sizeof(Output<T>));
template <class T>
inline constexpr std::size_t kPrefixBytes = kOutputBytes<T> + sizeof(BlockTail);

[[nodiscard]] void* allocate_block(std::size_t bytes);
void free_block(void* block) noexcept;

}  // namespace frame_layout

[[nodiscard]] inline BlockTail& tail_of(Header* header) noexcept {
    return *std::launder(
        reinterpret_cast<BlockTail*>(reinterpret_cast<std::byte*>(header) - sizeof(BlockTail)));
}

template <class T>
[[nodiscard]] Output<T>& output_of(Header* header) noexcept {
    return *std::launder(reinterpret_cast<Output<T>*>(reinterpret_cast<std::byte*>(header) -
                                                      frame_layout::kPrefixBytes<T>));
}

template <class T>
void release_block_of(Header* header) noexcept {
    static_assert(alignof(Output<T>) <= 16, "over-aligned task results are not supported");
    std::byte* block = reinterpret_cast<std::byte*>(header) - frame_layout::kPrefixBytes<T>;
    header->~Header();
    tail_of(header).~BlockTail();
    if constexpr (!std::is_void_v<T>) output_of<T>(header).~Output<T>();
    frame_layout::free_block(block);
}

// The frame of a coroutine returning T: its block, with a fresh header, tail and empty output.
template <class T>
[[nodiscard]] void* allocate_frame(std::size_t frame_size) {
    auto* block = static_cast<std::byte*>(
        frame_layout::allocate_block(frame_layout::kPrefixBytes<T> + sizeof(Header) + frame_size));
    if constexpr (!std::is_void_v<T>) ::new (block) Output<T>();
    ::new (block + frame_layout::kOutputBytes<T>) BlockTail{&release_block_of<T>, nullptr};
    auto* header = ::new (block + frame_layout::kPrefixBytes<T>) Header();
    return header->frame();
}

// A coroutine's operator delete: frees a child's block; leaves a spawned task's to the task.
void deallocate_frame(void* frame) noexcept;

// Frees a spawned task's block; its frame was destroyed already.
inline void release_block(Header* header) noexcept { tail_of(header).release(header); }

}  // namespace weft::task
