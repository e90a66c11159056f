// InlineTask<T>: a weft::Task driven as a pollable future inside the awaiting task, without
// spawning it (Rust's "a future inside a future"): timeout() races one against a timer,
// unconstrained() runs one outside the coop budget. The Task runs on the awaiting task's thread
// and budget, and dropping the InlineTask destroys the Task's coroutine (its destructors run) at
// once.
//
// Each poll polls the awaiter the inner coroutine is suspended on and resumes the coroutine when
// it is ready; the awaiting task's `pending` slot is borrowed for the inner coroutine's
// suspension and restored afterwards. Must be polled from inside a task.
#pragma once

#include <utility>

#include "runtime/context/thread_context.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"

namespace weft::task {

template <class T>
class InlineTask {
   public:
    explicit InlineTask(Task<T> task) noexcept : handle_(task.release()) {}
    InlineTask(InlineTask&& other) noexcept
        : handle_(std::exchange(other.handle_, {})),
          inner_pending_(std::exchange(other.inner_pending_, nullptr)),
          started_(other.started_) {}
    InlineTask& operator=(InlineTask&&) = delete;
    ~InlineTask() {
        if (handle_) task::destroy_frame(handle_);
    }

    // True once the inner coroutine finished (its result is then taken by await_resume).
    bool poll(Context& cx) noexcept {
        Header& task = *weft::detail::tls().task;
        weft::detail::PendingAwait* outer = task.pending;
        bool done = drive(cx, task);
        task.pending = outer;
        return done;
    }
    T await_resume() { return handle_.promise().take(); }

   private:
    bool drive(Context& cx, Header& task) noexcept {
        if (inner_pending_) {
            if (!inner_pending_->poll_fn(inner_pending_, cx)) return false;
            auto next = std::exchange(inner_pending_, nullptr)->continuation;
            task.pending = nullptr;
            next.resume();
        } else if (!started_) {
            started_ = true;
            task.pending = nullptr;
            handle_.resume();
        }
        if (handle_.done()) return true;
        inner_pending_ = task.pending;  // where the inner coroutine suspended
        return false;
    }

    typename Task<T>::handle_type handle_;
    weft::detail::PendingAwait* inner_pending_ = nullptr;
    bool started_ = false;
};

}  // namespace weft::task
