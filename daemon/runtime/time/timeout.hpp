// weft::time::timeout / timeout_at: bound the time an awaitable may take (Tokio's
// `time::timeout`).
//
//   auto r = co_await weft::time::timeout(std::chrono::seconds(1), rx.recv());
//   if (!r) { /* r.is_elapsed(): the deadline passed first */ }
//   use(*r);          // or r.value(), which throws weft::time::Elapsed when it elapsed
//
// The result is a TimeoutResult<T>, an expected-like value: either the awaitable's value or the
// Elapsed error. It does not throw on elapse (a timeout is an ordinary outcome, and a loop of
// timeouts should not pay for exceptions); value() throws Elapsed for code that prefers that.
// An exception thrown by the inner awaitable (a JoinError, ...) propagates unchanged.
//
// What can be bounded: any weft leaf awaitable (JoinHandle, BlockingHandle, Sleep, sync and
// channel awaitables: anything with `bool poll(Context&)` and `await_resume()`), taken by value
// when passed as an rvalue and by reference when passed as an lvalue (`timeout(d, handle)` leaves
// `handle` usable after an elapse, as `&mut handle` does in Rust), and a weft::Task, which is
// driven inside the awaiting task (not spawned) and destroyed with the Timeout.
//
// Cost: the inner awaitable is polled first; when it is ready at once, no timer is registered (or
// even constructed), the clock is not read, and the whole timeout is a few branches. Otherwise the
// timer is filed on the first poll that finds the inner awaitable pending.
//
// How weft differs from Tokio: timeout(d, x) measures `d` from that first pending poll, not from
// the call (with `co_await timeout(...)` the two coincide; a Timeout built long before it is
// awaited starts counting when awaited). timeout_at(deadline, x) has a fixed deadline.
//
// Cancellation safe when the inner awaitable is: dropping a Timeout drops the inner awaitable (or
// Task) and unlinks its timer. Polling the timer consumes coop budget, as polling a Sleep does,
// except when the inner awaitable spent the last unit during this poll: then the deadline is
// checked without budget (as Tokio does), so a timeout around work that spends the whole budget
// on every poll (a loop over always-ready operations) still fires.
#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/task/inline_task.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"
#include "runtime/time/instant.hpp"
#include "runtime/time/timer.hpp"

namespace weft::time {

// The error of a timeout whose deadline passed first.
class Elapsed : public std::runtime_error {
   public:
    Elapsed() : std::runtime_error("deadline has elapsed") {}
};

// Either the bounded awaitable's value or Elapsed.
template <class T>
class [[nodiscard]] TimeoutResult {
   public:
    explicit TimeoutResult(Elapsed) noexcept {}
    template <class U>
    explicit TimeoutResult(std::in_place_t, U&& value) : value_(std::forward<U>(value)) {}

    [[nodiscard]] bool has_value() const noexcept { return value_.has_value(); }
    [[nodiscard]] bool is_elapsed() const noexcept { return !value_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }

    // The value; throws Elapsed when the deadline passed first.
    T& value() & {
        if (!value_) throw Elapsed();
        return *value_;
    }
    T&& value() && {
        if (!value_) throw Elapsed();
        return std::move(*value_);
    }
    // Unchecked access: has_value() must be true.
    T& operator*() & noexcept { return *value_; }
    T&& operator*() && noexcept { return std::move(*value_); }
    T* operator->() noexcept { return &*value_; }

   private:
    std::optional<T> value_;
};

template <>
class [[nodiscard]] TimeoutResult<void> {
   public:
    explicit TimeoutResult(Elapsed) noexcept : ok_(false) {}
    explicit TimeoutResult(std::in_place_t) noexcept : ok_(true) {}
    [[nodiscard]] bool has_value() const noexcept { return ok_; }
    [[nodiscard]] bool is_elapsed() const noexcept { return !ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const {
        if (!ok_) throw Elapsed();
    }

   private:
    bool ok_;
};

namespace detail {

template <class A>
concept PollableAwaitable = requires(A& a, Context& cx) {
    { a.poll(cx) } -> std::convertible_to<bool>;
    a.await_resume();
};

// An lvalue awaitable bounded by a Timeout: polled in place, left usable after an elapse.
template <class A>
class AwaitableRef {
   public:
    explicit AwaitableRef(A& a) noexcept : a_(&a) {}
    bool poll(Context& cx) noexcept { return a_->poll(cx); }
    decltype(auto) await_resume() { return a_->await_resume(); }

   private:
    A* a_;
};

}  // namespace detail

template <class Inner>
class [[nodiscard]] Timeout : public Pollable<Timeout<Inner>> {
   public:
    using value_type = std::remove_cvref_t<decltype(std::declval<Inner&>().await_resume())>;

    // Builds the inner awaitable in place from `arg` (timeout() and timeout_at() do this).
    template <class Arg>
    Timeout(std::in_place_t, Arg&& arg,
            Duration duration) noexcept(std::is_nothrow_constructible_v<Inner, Arg&&>)
        : inner_(std::forward<Arg>(arg)), duration_(duration) {}
    template <class Arg>
    Timeout(std::in_place_t, Arg&& arg,
            Instant deadline) noexcept(std::is_nothrow_constructible_v<Inner, Arg&&>)
        : inner_(std::forward<Arg>(arg)), deadline_(deadline), has_deadline_(true) {}
    // Moving is allowed before the first pending poll (the timer does not exist yet).
    Timeout(Timeout&& other) noexcept(std::is_nothrow_move_constructible_v<Inner>)
        : inner_(std::move(other.inner_)),
          duration_(other.duration_),
          deadline_(other.deadline_),
          has_deadline_(other.has_deadline_) {}
    Timeout& operator=(Timeout&&) = delete;

    bool poll(Context& cx) noexcept {
        const bool had_budget = coop::has_budget_remaining();
        if (inner_.poll(cx)) return true;
        if (!timer_) {  // first pending poll: the timer comes into being, the clock starts
            detail::TimeHandle* h = detail::try_current_time_handle();
            if (!h) return false;  // outside a runtime the deadline cannot fire
            timer_.emplace(h);
            if (!has_deadline_) {
                deadline_ = detail::add_saturating(h->clock().now(), duration_);
                has_deadline_ = true;
            }
        }
        if (had_budget && !coop::has_budget_remaining()) {
            // The inner awaitable spent the last unit (its task was woken to yield). Check the
            // deadline anyway, as Tokio does: work that spends the whole budget every poll would
            // otherwise never let the timeout fire.
            if (!timer_->poll(deadline_, cx)) return false;
            elapsed_ = true;
            return true;
        }
        if (!coop::poll_proceed(cx)) return false;
        if (timer_->poll(deadline_, cx)) {
            elapsed_ = true;
            return true;
        }
        coop::refund();
        return false;
    }

    TimeoutResult<value_type> await_resume() {
        if (elapsed_) return TimeoutResult<value_type>(Elapsed());
        if constexpr (std::is_void_v<value_type>) {
            inner_.await_resume();
            return TimeoutResult<void>(std::in_place);
        } else {
            return TimeoutResult<value_type>(std::in_place, inner_.await_resume());
        }
    }

    // The deadline, once known (timeout_at, or after the first pending poll).
    [[nodiscard]] std::optional<Instant> deadline() const noexcept {
        return has_deadline_ ? std::optional<Instant>(deadline_) : std::nullopt;
    }
    [[nodiscard]] Inner& get_ref() noexcept { return inner_; }

   private:
    Inner inner_;
    Duration duration_{0};
    Instant deadline_{};
    bool has_deadline_ = false;
    bool elapsed_ = false;
    // Made on the first pending poll only: a timeout whose awaitable is ready at once never
    // builds (nor destroys) a timer entry.
    std::optional<detail::Timer> timer_;
};

namespace detail {

// What a Timeout holds for an argument of type A (as forwarded: T for an rvalue, T& for an
// lvalue): the awaitable itself, a reference to it, or a Task driven inline.
template <class A>
struct TimeoutInner {
    using type = std::remove_cvref_t<A>;
};
template <class A>
requires std::is_lvalue_reference_v<A>
struct TimeoutInner<A> {
    using type = AwaitableRef<std::remove_reference_t<A>>;
};
template <class T>
struct TimeoutInner<Task<T>> {
    using type = weft::task::InlineTask<T>;
};

template <class A>
inline constexpr bool is_task_v = false;
template <class T>
inline constexpr bool is_task_v<Task<T>> = true;

// What timeout() accepts: a leaf awaitable (by value or by reference), or a Task by value.
template <class A>
concept Boundable = PollableAwaitable<std::remove_reference_t<A>> ||
    (is_task_v<std::remove_cvref_t<A>> && !std::is_lvalue_reference_v<A>);

}  // namespace detail

// Bounds `awaitable` to `duration` (counted from the first poll that finds it pending).
template <class A>
requires detail::Boundable<A>
[[nodiscard]] Timeout<typename detail::TimeoutInner<A>::type> timeout(Duration duration,
                                                                      A&& awaitable) {
    return {std::in_place, std::forward<A>(awaitable), duration};
}

// Bounds `awaitable` to the fixed `deadline`.
template <class A>
requires detail::Boundable<A>
[[nodiscard]] Timeout<typename detail::TimeoutInner<A>::type> timeout_at(Instant deadline,
                                                                         A&& awaitable) {
    return {std::in_place, std::forward<A>(awaitable), deadline};
}

}  // namespace weft::time
