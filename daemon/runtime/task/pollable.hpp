// Pollable: how a leaf awaitable joins the poll protocol, so that C++ coroutines behave like
// Rust futures (ready or pending, woken through a Waker, re-polled before they resume).
//
// A leaf awaitable derives from Pollable<Self> and provides
//     bool poll(Context& cx) noexcept;   // true: ready, await_resume() may be called
//                                         // false: pending, cx's waker is registered (or woken)
//     R await_resume();
// `co_await x` polls once in await_ready. If pending, the task records the awaiter and its
// coroutine and returns to the scheduler; when woken, the scheduler polls the awaiter again and
// resumes the coroutine only once the poll says ready. So a spurious or stale wake, or a wake
// forced by the coop budget, costs one poll and never resumes a coroutine early, and a task that
// is dropped while pending just destroys its awaiter, whose destructor deregisters it
// (cancellation safety is each awaitable's destructor's job, as in Tokio).
//
// poll() may be called again after it returned ready only if the awaitable documents so.
#pragma once

#include <coroutine>
#include <stdexcept>

#include "runtime/context/thread_context.hpp"
#include "runtime/task/context.hpp"
#include "runtime/task/header.hpp"
#include "runtime/task/pending_await.hpp"

namespace weft {
namespace detail {

// The poll context of the task this thread is polling.
[[nodiscard]] inline Context& current_context() {
    Context* cx = tls().cx;
    if (!cx) throw std::logic_error("a weft awaitable was awaited outside a weft task");
    return *cx;
}
inline void park_current(PendingAwait* awaiter) noexcept { tls().task->pending = awaiter; }

}  // namespace detail

template <class Derived>
class Pollable : public detail::AwaitableTag, private detail::PendingAwait {
   public:
    Pollable() noexcept = default;
    // The suspension fields belong to one await in progress: a copy or move starts fresh.
    Pollable(const Pollable&) noexcept : detail::AwaitableTag(), detail::PendingAwait() {}
    Pollable& operator=(const Pollable&) noexcept { return *this; }

    bool await_ready() { return self().poll(detail::current_context()); }
    void await_suspend(std::coroutine_handle<> h) noexcept {
        this->continuation = h;
        this->poll_fn = &poll_thunk;
        detail::park_current(this);
    }

   private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
    static bool poll_thunk(detail::PendingAwait* p, Context& cx) noexcept {
        return static_cast<Derived&>(static_cast<Pollable&>(*p)).poll(cx);
    }
};

}  // namespace weft
