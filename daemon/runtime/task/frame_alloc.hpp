// The allocator of every weft::Task coroutine frame, and where a coroutine's result lives.
//
// One block per coroutine:
//
//     void:  [ Header ][ coroutine frame ... ]
//     T:     [ Output<T> | OutputTail ][ Header ][ coroutine frame ... ]
//                                      ^ the address the coroutine sees
//
// The result is kept outside the frame (the value in the output slot, an exception in the
// header), so that a spawned task's frame (its locals and parameters: a Sender passed by value,
// say) is destroyed the moment the task completes, as Tokio drops a future once it is ready,
// while the JoinHandle can still take the output later. A `void` coroutine's block is just the
// header and the frame. A task's id is not in the block: tasks are numbered on demand
// (task_id.hpp).
//
// Blocks come from the block cache (runtime/util/block_cache.hpp: 64-byte aligned, no line
// shared with another task's block), which takes a block back by its size: see deallocate_frame.
//
// A coroutine that is only awaited (a child) is never bound: its reference count stays 0, and
// destroying its frame frees the block. A spawned coroutine's block outlives its frame; the task
// frees it when its last reference goes (release_block).
//
// An output whose destructor throws (declared noexcept(false)) when the block is freed (its
// JoinHandle was dropped without taking it) is contained: the exception is discarded, as Tokio
// discards a panic from dropping a task's output, instead of ending the process.
#pragma once

#include <coroutine>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime/task/header.hpp"
#include "runtime/task/task_id.hpp"

namespace weft::task {

// Holds one T or nothing; unlike std::optional, destroying the value may throw (reset() lets a
// noexcept(false) destructor's exception out, to the caller that contains it).
template <class T>
class OutputSlot {
   public:
    OutputSlot() noexcept {}
    OutputSlot(const OutputSlot&) = delete;
    OutputSlot& operator=(const OutputSlot&) = delete;
    ~OutputSlot() {}  // the owner calls reset() first (release_block_of)

    template <class U>
    void emplace(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        std::construct_at(&value_, std::forward<U>(value));
        engaged_ = true;
    }
    [[nodiscard]] T& operator*() noexcept { return value_; }
    [[nodiscard]] bool has_value() const noexcept { return engaged_; }
    void reset() noexcept(std::is_nothrow_destructible_v<T>) {
        if (std::exchange(engaged_, false)) std::destroy_at(&value_);
    }

   private:
    union {
        T value_;
    };
    bool engaged_ = false;
};

// The slot of a coroutine's value.
template <class T>
struct Output {
    OutputSlot<T> value;
};

// Just before the header of a block with an output slot: how a type-erased owner (the harness)
// destroys the output and frees the block (of a frame of `frame_size` bytes).
struct OutputTail {
    void (*release)(Header*, std::size_t frame_size) noexcept;
};

namespace frame_layout {

constexpr std::size_t round16(std::size_t n) noexcept { return (n + 15) & ~std::size_t{15}; }

template <class T>
constexpr std::size_t prefix_bytes() noexcept {
    if constexpr (std::is_void_v<T>) {
        return 0;
    } else {
        return round16(sizeof(Output<T>) + sizeof(OutputTail));
    }
}
template <class T>
inline constexpr std::size_t kPrefixBytes = prefix_bytes<T>();

[[nodiscard]] void* allocate_block(std::size_t bytes);
void free_block(void* block, std::size_t bytes) noexcept;

template <class T>
[[nodiscard]] constexpr std::size_t block_bytes(std::size_t frame_size) noexcept {
    return kPrefixBytes<T> + sizeof(Header) + frame_size;
}

// Destroys the header (its error, its id table entry) before the block is freed.
inline void destroy_header(Header* header) noexcept {
    const State::Word s = header->state.load(std::memory_order_acquire);
    if (s & State::FAILED) header->destroy_error();
    if (s & State::NUMBERED) forget_id(header);
    header->~Header();
}

template <class T>
[[nodiscard]] std::byte* prefix_of(Header* header) noexcept {
    return reinterpret_cast<std::byte*>(header) - kPrefixBytes<T>;
}

}  // namespace frame_layout

template <class T>
[[nodiscard]] Output<T>& output_of(Header* header) noexcept {
    return *std::launder(reinterpret_cast<Output<T>*>(frame_layout::prefix_of<T>(header)));
}

[[nodiscard]] inline OutputTail& tail_of(Header* header) noexcept {
    return *std::launder(
        reinterpret_cast<OutputTail*>(reinterpret_cast<std::byte*>(header) - sizeof(OutputTail)));
}

// Destroys the header, its error and output, and frees the block of a coroutine returning T
// whose frame took `frame_size` bytes.
template <class T>
void release_block_of(Header* header, std::size_t frame_size) noexcept {
    std::byte* block = frame_layout::prefix_of<T>(header);
    frame_layout::destroy_header(header);
    if constexpr (!std::is_void_v<T>) {
        tail_of(header).~OutputTail();
        static_assert(alignof(Output<T>) <= 16, "over-aligned task results are not supported");
        Output<T>& out = output_of<T>(header);
        if constexpr (std::is_nothrow_destructible_v<T>) {
            out.value.reset();
        } else {
            try {
                out.value.reset();
            } catch (...) {  // contained: see the top of this file
            }
        }
        out.~Output<T>();
    }
    frame_layout::free_block(block, frame_layout::block_bytes<T>(frame_size));
}

// The frame of a coroutine returning T: its block, with a fresh header and an empty output.
template <class T>
[[nodiscard]] void* allocate_frame(std::size_t frame_size) {
    constexpr std::size_t prefix = frame_layout::kPrefixBytes<T>;
    auto* block = static_cast<std::byte*>(
        frame_layout::allocate_block(frame_layout::block_bytes<T>(frame_size)));
    Header* header;
    if constexpr (std::is_void_v<T>) {
        header = ::new (block) Header();
    } else {
        ::new (block) Output<T>();
        ::new (block + prefix - sizeof(OutputTail)) OutputTail{&release_block_of<T>};
        header = ::new (block + prefix) Header(State::OUTPUT_SLOT);
    }
    return header->frame();
}

// Destroys a coroutine that is not a spawned task (a Task that owns its frame). Out of line on
// purpose: a compiler that sees a coroutine created and destroyed in one function may elide its
// allocation into the caller's frame (the standard allows it and Clang's CoroElide does it), and
// then operator new never ran: no header, no output slot. Not a compiler bug but a licence this
// layout must not depend on; reproduction: tests/runtime/compiler/coroutine_allocation_elision.cpp.
void destroy_frame(std::coroutine_handle<> coroutine) noexcept;

// A coroutine's frame is destroyed (T's operator delete): a child's block goes with it. A
// spawned task's block outlives the frame; the frame's size, which the allocator needs to take
// the block back, is kept in the dead frame's first word until release_block.
template <class T>
void deallocate_frame(void* frame, std::size_t frame_size) noexcept {
    Header* header = Header::from_frame(frame);
    if (State::refs(header->state.load(std::memory_order_relaxed)) != 0) {  // a task's
        ::new (frame) std::size_t(frame_size);
        return;
    }
    release_block_of<T>(header, frame_size);
}

// Frees a spawned task's block; its frame was destroyed already (deallocate_frame).
inline void release_block(Header* header) noexcept {
    const std::size_t frame_size = *std::launder(static_cast<std::size_t*>(header->frame()));
    if (header->state.load(std::memory_order_acquire) & State::OUTPUT_SLOT) {
        tail_of(header).release(header, frame_size);
    } else {
        release_block_of<void>(header, frame_size);
    }
}

}  // namespace weft::task
