// weft::into_future: what the combinators (timeout, first_of, select, join, try_join, join_all,
// run_until_cancelled) accept, and how a child Task becomes one of their branches.
//
// A combinator polls several awaitables within one plugin task. Every SDK awaitable can be polled
// that way (weft::Awaitable's poll_status). A weft::Task<T> cannot by itself: awaited directly it
// runs inline on its parent, which waits for it alone. into_future gives it a poll of its own: a
// TaskFuture drives the child coroutine like a spawned task would (each await of the child parks
// in the TaskFuture, not in the parent), on the parent's task and with the parent's waker, so
// the parent can race it, time it out, or run several at once (Tokio's join!/select! over
// futures, without spawning). Dropping a TaskFuture destroys the child coroutine there and then:
// every awaitable in it cancels its pending operation (cancel-safe as each documents).
//
//   auto r = co_await weft::timeout(1s, fetch(key));           // fetch returns weft::Task<Row>
//   auto [a, b] = co_await weft::join(fetch(k1), fetch(k2));   // both at once, one task
//
// Accepted: any SDK awaitable by value (moved in) or by lvalue reference (awaited in place, the
// caller keeps it: a JoinHandle awaited under a timeout stays joinable afterwards), and a Task
// by value. A Task lvalue is refused at compile time (a Task runs once: std::move it).
//
// Thread-safety: as the task that awaits it (one poll at a time, any worker).
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "weft/plugin.h"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

// A child coroutine with a poll of its own, run on the task that polls it.
template <class T>
class SubRoot final : public RootBase {
   public:
    explicit SubRoot(Task<T> task) : RootBase(Host{}) {
        Task<void> driver = drive(this, std::move(task));
        driver.bind_root(this);
        frame_ = driver.release();
    }

    weft_status poll_child(weft_context* cx) noexcept {
        // The child's spawn() and Clock::now() use the host of the task it runs on.
        if (!host_ && t_current.root) host_ = t_current.root->host();
        return poll(cx);
    }
    T take() {
        if (error_) std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<T>) return std::move(*value_);
    }

   private:
    static Task<void> drive(SubRoot* self, Task<T> task) {
        try {
            if constexpr (std::is_void_v<T>) {
                co_await std::move(task);
            } else {
                self->value_.emplace(co_await std::move(task));
            }
        } catch (...) {
            self->error_ = std::current_exception();
        }
        self->status_ = WEFT_OK;  // finished, its outcome in value_ or error_
    }

    struct Empty {};
    std::conditional_t<std::is_void_v<T>, Empty, std::optional<T>> value_;
    std::exception_ptr error_;
};

}  // namespace detail

// A Task as a pollable awaitable (see the file comment).
template <class T>
class [[nodiscard]] TaskFuture : public Awaitable<TaskFuture<T>> {
   public:
    explicit TaskFuture(Task<T> task)
        : root_(std::make_unique<detail::SubRoot<T>>(std::move(task))) {}
    TaskFuture(TaskFuture&&) noexcept = default;
    TaskFuture& operator=(TaskFuture&&) = delete;

    weft_status poll(weft_context* cx) noexcept { return root_->poll_child(cx); }
    T await_resume() { return root_->take(); }

   private:
    std::unique_ptr<detail::SubRoot<T>> root_;  // its address is the child's root: never moves
};

// An lvalue awaitable raced in place (the caller keeps it).
template <class A>
class [[nodiscard]] AwaitableRef : public Awaitable<AwaitableRef<A>> {
   public:
    explicit AwaitableRef(A& target) noexcept : target_(&target) {}
    weft_status poll(weft_context* cx) noexcept { return target_->poll_status(cx); }
    decltype(auto) await_resume() { return target_->await_resume(); }

   private:
    A* target_;
};

namespace detail {

template <class A>
auto into_future(A&& awaitable) {
    using Plain = std::remove_cvref_t<A>;
    static_assert(SdkAwaitable<Plain>,
                  "weft combinators take weft SDK awaitables (Task, JoinHandle, channels, sleep, "
                  "Notify, ...)");
    if constexpr (IsTask<Plain>::value) {
        static_assert(!std::is_lvalue_reference_v<A>,
                      "a weft::Task runs once: pass it by value (std::move it)");
        return TaskFuture<typename Plain::value_type>(std::move(awaitable));
    } else if constexpr (std::is_lvalue_reference_v<A>) {
        return AwaitableRef<Plain>(awaitable);
    } else {
        return Plain(std::move(awaitable));
    }
}

template <class A>
using future_t = decltype(into_future(std::declval<A>()));

template <class F>
using result_t = decltype(std::declval<F&>().await_resume());

// A void result stands as std::monostate in a tuple or variant.
template <class R>
using stored_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

// One branch of a combinator: the future until it is ready, then its outcome (taken at once, so
// that its resources go back then, not when the combinator is destroyed).
template <class F>
class Branch {
   public:
    using result = result_t<F>;
    using value_type = stored_t<result>;

    explicit Branch(F future) : future_(std::move(future)) {}
    Branch(Branch&&) noexcept = default;

    // True once the branch has its outcome (a value or an exception).
    bool poll(weft_context* cx) noexcept {
        if (!future_) return true;
        if (future_->poll_status(cx) == WEFT_PENDING) return false;
        try {
            if constexpr (std::is_void_v<result>) {
                future_->await_resume();
                value_.emplace();
            } else {
                value_.emplace(future_->await_resume());
            }
        } catch (...) {
            error_ = std::current_exception();
        }
        future_.reset();
        return true;
    }
    // Drops a branch that lost (first_of) or is no longer needed (try_join): cancels it.
    void cancel() noexcept { future_.reset(); }
    [[nodiscard]] bool failed() const noexcept { return static_cast<bool>(error_); }
    [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }
    value_type take() {
        if (error_) std::rethrow_exception(error_);
        return std::move(*value_);
    }

   private:
    std::optional<F> future_;
    std::optional<value_type> value_;
    std::exception_ptr error_;
};

}  // namespace detail
}  // namespace sdk
}  // namespace weft
