// Time: weft::sleep, weft::sleep_until, weft::timeout, weft::timeout_at, weft::Clock, on the
// host's timers (weft::interval is in weft/sdk/interval.hpp).
//
//   co_await weft::sleep(100ms);
//   if (auto msg = co_await weft::timeout(1s, rx.recv())) { ... }   // empty: timed out
//   auto row = co_await weft::timeout(2s, fetch(key));             // a child Task, too
//
// Instants are weft::Clock::time_point, the host's monotonic clock (CLOCK_MONOTONIC, as
// std::chrono::steady_clock on Linux). Timers have millisecond resolution and never fire early.
// Every awaitable here is cancel-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/future.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

struct Clock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<Clock>;
    static constexpr bool is_steady = true;
    // The host's clock; from inside a task (the host is that of the task being polled).
    static time_point now() { return from_host(weft_time_now(detail::current_host().raw())); }
    static time_point now(const Host& host) { return from_host(weft_time_now(host.raw())); }
    static time_point from_host(weft_instant ns) noexcept {
        return time_point(duration(static_cast<rep>(ns)));
    }
    static weft_instant to_host(time_point t) noexcept {
        return t.time_since_epoch().count() < 0
                   ? 0
                   : static_cast<weft_instant>(t.time_since_epoch().count());
    }
};

class [[nodiscard]] Sleep : public Awaitable<Sleep> {
   public:
    explicit Sleep(Clock::time_point deadline) noexcept : deadline_(deadline), absolute_(true) {}
    explicit Sleep(Clock::duration delay) noexcept : delay_(delay) {}
    Sleep(Sleep&& other) noexcept
        : Awaitable<Sleep>(other),
          deadline_(other.deadline_),
          delay_(other.delay_),
          absolute_(other.absolute_),
          op_(std::exchange(other.op_, nullptr)) {}
    Sleep& operator=(Sleep&&) = delete;
    ~Sleep() { weft_op_cancel(&op_); }

    weft_status poll(weft_context* cx) noexcept {
        if (!absolute_) {  // the host fixes a relative deadline at the first call
            const auto ns = delay_.count() < 0 ? 0 : static_cast<std::uint64_t>(delay_.count());
            return weft_time_sleep(cx, ns, &op_);
        }
        return weft_time_sleep_until(cx, Clock::to_host(deadline_), &op_);
    }
    void await_resume() const {
        if (status_ != WEFT_OK) throw Error(status_, "weft::sleep");
    }

   private:
    Clock::time_point deadline_{};
    Clock::duration delay_{};
    bool absolute_ = false;
    weft_op* op_ = nullptr;
};

template <class Rep, class Period>
[[nodiscard]] Sleep sleep(std::chrono::duration<Rep, Period> delay) noexcept {
    return Sleep(std::chrono::duration_cast<Clock::duration>(delay));
}
[[nodiscard]] inline Sleep sleep_until(Clock::time_point deadline) noexcept {
    return Sleep(deadline);
}

// Awaits `inner` for at most `limit` (Tokio's timeout): the result is std::optional of inner's
// result (bool for a void one), empty (false) when the time ran out first; `inner` is then
// cancelled (dropped: its pending operation is cancelled, a child Task destroyed at its current
// await). `inner` is any SDK awaitable or a weft::Task (weft/sdk/future.hpp): by value, or an
// lvalue awaited in place (a JoinHandle stays joinable after a timeout). inner is polled first, so
// an operation ready at once wins even with a zero limit. An exception from inner is rethrown;
// a timer that fails (WEFT_ERR_SHUTDOWN: the runtime is going away) throws Error.
template <class A>
class [[nodiscard]] Timeout : public Awaitable<Timeout<A>> {
   public:
    using inner_result = decltype(std::declval<A&>().await_resume());
    using result =
        std::conditional_t<std::is_void_v<inner_result>, bool, std::optional<inner_result>>;

    Timeout(A inner, Clock::duration limit) : inner_(std::move(inner)), timer_(limit) {}
    Timeout(A inner, Clock::time_point deadline) : inner_(std::move(inner)), timer_(deadline) {}
    Timeout(Timeout&&) = default;

    weft_status poll(weft_context* cx) noexcept {
        if (inner_.poll_status(cx) != WEFT_PENDING) return WEFT_OK;
        const weft_status t = timer_.poll_status(cx);
        if (t == WEFT_PENDING) return WEFT_PENDING;
        timed_out_ = true;
        return t;  // WEFT_OK, or the timer's error
    }
    result await_resume() {
        if (timed_out_) {
            timer_.await_resume();  // throws if the timer failed rather than fired
            return result{};
        }
        if constexpr (std::is_void_v<inner_result>) {
            inner_.await_resume();
            return true;
        } else {
            return result(inner_.await_resume());
        }
    }

   private:
    A inner_;
    Sleep timer_;
    bool timed_out_ = false;
};

template <class A, class Rep, class Period>
[[nodiscard]] Timeout<detail::future_t<A&&>> timeout(std::chrono::duration<Rep, Period> limit,
                                                     A&& inner) {
    return Timeout<detail::future_t<A&&>>(detail::into_future(std::forward<A>(inner)),
                                          std::chrono::duration_cast<Clock::duration>(limit));
}

// As timeout, with an instant for the limit (Tokio's timeout_at).
template <class A>
[[nodiscard]] Timeout<detail::future_t<A&&>> timeout_at(Clock::time_point deadline, A&& inner) {
    return Timeout<detail::future_t<A&&>>(detail::into_future(std::forward<A>(inner)), deadline);
}

}  // namespace sdk
}  // namespace weft
