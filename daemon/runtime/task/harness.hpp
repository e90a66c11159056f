// The harness: every transition of a spawned task's life, written once for all schedulers.
//
// A scheduler owns notification references (one per queued task) and calls run() with each.
// Wakers, JoinHandles, abort and runtime shutdown reach the task only through these functions.
#pragma once

#include <coroutine>

#include "runtime/task/header.hpp"
#include "runtime/task/waker.hpp"

namespace weft::task {

// Turns a released, never-started coroutine into a task owned by `scheduler`. The returned header
// carries State::INITIAL references: the owned list's, the first notification's, the JoinHandle's.
[[nodiscard]] Header* bind(std::coroutine_handle<> coroutine, Schedule* scheduler) noexcept;

// Polls the task with the caller's notification reference (consumed). The caller set the budget.
void run(Header* task) noexcept;

// Runtime shutdown: the owned list's reference is handed over; the task is cancelled if idle.
void shutdown(Header* task) noexcept;

// A queued notification that will never run (queues drained at shutdown).
void drop_notification(Header* task) noexcept;
// Gives back one plain reference (an AbortHandle's); frees the task if it was the last.
void drop_reference(Header* task) noexcept;

// JoinHandle operations.
void abort(Header* task) noexcept;
void drop_join_handle(Header* task) noexcept;
// True when the output is ready to take; otherwise `waker` is stored as the join waker.
[[nodiscard]] bool can_read_output(Header* task, const WakerRef& waker) noexcept;

// Wakers for tasks.
extern const WakerVTable kWakerVTable;
[[nodiscard]] inline WakerRef waker_ref(Header* task) noexcept {
    return WakerRef(task, &kWakerVTable);
}

}  // namespace weft::task
