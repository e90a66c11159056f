// weft::block_in_place: runs blocking code on the current worker thread without stalling the
// other tasks (Tokio's tokio::task::block_in_place).
//
//     weft::Task<> handle(Request r) {
//         auto row = weft::block_in_place([&] { return legacy_db.query(r.key); });  // may block
//         co_await reply(row);
//     }
//
// On a worker of a multi_thread runtime the worker's queues and run loop are handed to a new
// thread first, so every other task keeps running; this thread then runs `f` and, after it, the
// rest of the current poll of the calling task, and then leaves the runtime (the worker does not
// come back to it). Unlike spawn_blocking, `f` may borrow from the task's frame and needs no
// 'static state; the task itself waits for `f` (its poll is long, and is counted as one).
//
// Where it may be called:
//   - a task of a multi_thread runtime: as above;
//   - a thread that runs no task (outside any runtime, a spawn_blocking thread, a thread inside
//     block_on of a multi_thread runtime, a thread already inside block_in_place): `f` just runs;
//   - a task of a current_thread runtime, or its block_on thread: refused with std::logic_error
//     (its one thread runs every task: nothing could keep them running), as Tokio panics.
// Inside `f` the thread is outside the runtime's task context: the blocking bridges
// (blocking_recv, blocking_send, blocking_acquire) and Handle::block_on work there, as in Tokio;
// weft::spawn still finds the runtime.
//
// Errors: std::logic_error (current_thread, above); std::system_error when no thread can be
// started for the hand-off (nothing was handed off; `f` did not run); whatever `f` throws,
// after the task context was restored.
// Shutdown: a runtime shutting down waits for a running `f` to return.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "runtime/task/context.hpp"

namespace weft {
namespace task {
struct Header;
}

namespace detail {

// The region of a block_in_place: its constructor hands the worker off (or refuses) and leaves
// the task context, its destructor restores the task context (not the worker).
class BlockInPlaceRegion {
   public:
    BlockInPlaceRegion();
    ~BlockInPlaceRegion();
    BlockInPlaceRegion(const BlockInPlaceRegion&) = delete;
    BlockInPlaceRegion& operator=(const BlockInPlaceRegion&) = delete;

   private:
    task::Header* task_;
    Context* cx_;
    std::uint32_t budget_;
};

}  // namespace detail

template <class F>
decltype(auto) block_in_place(F&& f) {
    detail::BlockInPlaceRegion region;
    return std::invoke(std::forward<F>(f));
}

}  // namespace weft
