// Header: the scheduling part of a spawned task, stored in the same allocation just before the
// coroutine frame (see frame_alloc.hpp), so a spawned task costs one allocation.
//
// The first fields are the ones every poll and wake touches; the join waker and the owned-list
// links are only touched at spawn, join and completion.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <utility>

#include "runtime/task/pending_await.hpp"
#include "runtime/task/state.hpp"
#include "runtime/task/waker.hpp"

namespace weft::task {

struct Header;

// What a task needs from the scheduler that owns it. Implemented by each runtime flavor.
class Schedule {
   public:
    // Queues the task; the caller hands over one notification reference. Any thread.
    virtual void schedule(Header* task) noexcept = 0;
    // Queues a task that woke itself during its own poll, behind the others (no LIFO slot).
    virtual void yield(Header* task) noexcept = 0;
    // Removes a completed task from the owned list; true if it was there (its ref is released).
    [[nodiscard]] virtual bool release(Header* task) noexcept = 0;

   protected:
    ~Schedule() = default;
};

struct alignas(16) Header {
    Header() noexcept : pending(nullptr) {}
    explicit Header(State::Word initial) noexcept : state(initial), pending(nullptr) {}
    // `error` is destroyed by whoever frees the block (it knows FAILED); see frame_alloc.hpp.
    ~Header() {}
    Header(const Header&) = delete;
    Header& operator=(const Header&) = delete;

    // hot
    State state;
    Header* queue_next = nullptr;  // intrusive link: injection queue, current_thread queue
    Schedule* scheduler = nullptr;
    union {
        // While the task lives: the awaiter its coroutine is suspended on (null while it runs).
        detail::PendingAwait* pending;
        // Once its coroutine threw (State::FAILED), the exception. A coroutine only throws while
        // it runs, when nothing is pending, so the two never overlap; a child coroutine's header
        // never holds `pending` (its task's header does).
        std::exception_ptr error;
    };
    // cold
    Waker join_waker;  // owned by the JoinHandle unless JOIN_WAKER is set
    Header* owned_prev = nullptr;
    Header* owned_next = nullptr;

    // Records the exception the coroutine ended with (it is running: `pending` is null).
    void store_error(std::exception_ptr e) noexcept {
        std::construct_at(&error, std::move(e));
        state.set_failed();
    }
    // The exception, moved out (FAILED must be set); the reader alone then holds it.
    [[nodiscard]] std::exception_ptr take_error() noexcept { return std::exchange(error, nullptr); }
    // Before the block is freed, when FAILED is set.
    void destroy_error() noexcept { std::destroy_at(&error); }

    [[nodiscard]] void* frame() noexcept {
        return reinterpret_cast<std::byte*>(this) + sizeof(Header);
    }
    [[nodiscard]] std::coroutine_handle<> coroutine() noexcept {
        return std::coroutine_handle<>::from_address(frame());
    }
    [[nodiscard]] static Header* from_frame(void* frame) noexcept {
        return reinterpret_cast<Header*>(static_cast<std::byte*>(frame) - sizeof(Header));
    }
};

// 64 bytes, a cache line's size. A task block starts on a line (block_cache.hpp), so the
// header of a task without a result fills its first line and the frame starts on the next; a
// result slot in front of the header shifts both by its size. The type is not declared 64-byte
// aligned: the result slot in front of it would then be padded up to a line.
static_assert(sizeof(Header) == 64, "state, links and the join waker in 64 bytes");

}  // namespace weft::task
