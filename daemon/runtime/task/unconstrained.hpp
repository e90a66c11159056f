// unconstrained(task): runs `task` without the coop budget, so its operations never yield just
// because the budget is spent (Tokio's task::unconstrained). Use it sparingly: a task that loops
// over always-ready resources inside it can starve the others on its worker.
//
// It drives the inner coroutine itself: each poll lifts the budget, polls the inner awaiter the
// task is suspended on, resumes the inner coroutine if ready, and records where it suspended next.
#pragma once

#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"

namespace weft {

template <class T>
class [[nodiscard]] Unconstrained : public Pollable<Unconstrained<T>> {
   public:
    explicit Unconstrained(Task<T> inner) : handle_(inner.release()) {}
    Unconstrained(Unconstrained&& other) noexcept
        : handle_(std::exchange(other.handle_, {})),
          inner_pending_(std::exchange(other.inner_pending_, nullptr)),
          started_(other.started_) {}
    Unconstrained& operator=(Unconstrained&&) = delete;
    ~Unconstrained() {
        if (handle_) task::destroy_frame(handle_);
    }

    bool poll(Context& cx) noexcept {
        auto& t = detail::tls();
        const std::uint32_t saved_budget = std::exchange(t.budget, coop::kUnconstrained);
        detail::PendingAwait* outer = t.task->pending;
        bool done = drive(cx, *t.task);
        t.task->pending = outer;
        t.budget = saved_budget;
        return done;
    }
    T await_resume() { return handle_.promise().take(); }

   private:
    bool drive(Context& cx, task::Header& task) noexcept {
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
    detail::PendingAwait* inner_pending_ = nullptr;
    bool started_ = false;
};

template <class T>
[[nodiscard]] Unconstrained<T> unconstrained(Task<T> task) {
    return Unconstrained<T>(std::move(task));
}

}  // namespace weft
