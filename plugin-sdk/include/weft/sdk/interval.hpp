// weft::Interval: ticks at a fixed period (Tokio's tokio::time::interval).
//
//   auto ticks = weft::interval(100ms);             // inside a task; interval(host, 100ms) in a
//   hook ticks.set_missed_tick_behavior(weft::MissedTickBehavior::skip); while (true) {
//       const auto at = co_await ticks.tick();      // the instant this tick was scheduled for
//       ...
//   }
//
// The first tick completes at once (interval) or at `start` (interval_at); each next one a period
// after the one before. When the task falls behind (a tick completes more than 5 ms after its
// instant, as Tokio's threshold), the missed-tick behaviour decides when the next one is due:
//   burst (the default)  the next ones are due on the original schedule, so the missed ticks
//                        complete at once, one per tick(), until the schedule is caught up
//   delay                the next is due a period after this late tick: the schedule shifts
//   skip                 the next is due at the next instant of the original schedule after now:
//                        the missed ticks are dropped, the schedule keeps its phase
// reset() moves the next tick to a period from now, reset_immediately() to now, reset_after(d)
// to d from now and reset_at(t) to t.
//
// Errors. A period of zero or less throws std::invalid_argument (Tokio panics); tick() throws
// Error(WEFT_ERR_SHUTDOWN) once the runtime's timers are gone.
//
// Cancel-safe: a tick() that was cancelled (lost a first_of, timed out) consumed no tick.
// Thread-safety: an Interval belongs to one task at a time (it may move between tasks while no
// tick() is pending); tick() holds a reference to it, so the Interval must outlive the await.
#pragma once

#include <chrono>
#include <stdexcept>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"
#include "weft/sdk/time.hpp"

namespace weft {
inline namespace sdk {

enum class MissedTickBehavior { burst, delay, skip };

class Interval {
   public:
    Interval(const Host& host, Clock::time_point start, Clock::duration period,
             MissedTickBehavior behavior = MissedTickBehavior::burst)
        : host_(host), next_(start), period_(period), behavior_(behavior) {
        if (period <= Clock::duration::zero())
            throw std::invalid_argument("weft::interval: the period must be greater than zero");
    }

    class [[nodiscard]] Tick : public Awaitable<Tick> {
       public:
        explicit Tick(Interval& interval) noexcept : interval_(&interval) {}
        Tick(Tick&& other) noexcept
            : Awaitable<Tick>(other),
              interval_(other.interval_),
              due_(other.due_),
              op_(std::exchange(other.op_, nullptr)) {}
        Tick& operator=(Tick&&) = delete;
        ~Tick() { weft_op_cancel(&op_); }

        weft_status poll(weft_context* cx) noexcept {
            // A reset while this tick was pending moves the deadline: start the wait again.
            if (op_ && due_ != interval_->next_) weft_op_cancel(&op_);
            due_ = interval_->next_;
            const weft_status s = weft_time_sleep_until(cx, Clock::to_host(due_), &op_);
            if (s == WEFT_OK) interval_->advance(due_);
            return s;
        }
        Clock::time_point await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "weft::Interval::tick");
            return due_;
        }

       private:
        Interval* interval_;
        Clock::time_point due_{};
        weft_op* op_ = nullptr;
    };

    // Completes at the next tick's instant and gives that instant.
    [[nodiscard]] Tick tick() noexcept { return Tick(*this); }

    void reset() { next_ = Clock::now(host_) + period_; }
    void reset_immediately() { next_ = Clock::now(host_); }
    template <class Rep, class Period>
    void reset_after(std::chrono::duration<Rep, Period> delay) {
        next_ = Clock::now(host_) + std::chrono::duration_cast<Clock::duration>(delay);
    }
    void reset_at(Clock::time_point at) noexcept { next_ = at; }

    [[nodiscard]] Clock::duration period() const noexcept { return period_; }
    [[nodiscard]] MissedTickBehavior missed_tick_behavior() const noexcept { return behavior_; }
    void set_missed_tick_behavior(MissedTickBehavior behavior) noexcept { behavior_ = behavior; }

   private:
    // After the tick due at `due` completed: when is the next one due (Tokio's rules).
    void advance(Clock::time_point due) noexcept {
        const auto now = Clock::now(host_);
        if (now <= due + std::chrono::milliseconds(5)) {
            next_ = due + period_;
            return;
        }
        switch (behavior_) {
            case MissedTickBehavior::burst:
                next_ = due + period_;
                break;
            case MissedTickBehavior::delay:
                next_ = now + period_;
                break;
            case MissedTickBehavior::skip:
                next_ = now + period_ - (now - due) % period_;
                break;
        }
    }

    Host host_;
    Clock::time_point next_;
    Clock::duration period_;
    MissedTickBehavior behavior_;
};

// Ticks every `period`, the first at once. In a task of the plugin (the host is the task's).
template <class Rep, class Period>
[[nodiscard]] Interval interval(std::chrono::duration<Rep, Period> period) {
    const Host& host = detail::current_host();
    return Interval(host, Clock::now(host), std::chrono::duration_cast<Clock::duration>(period));
}
// The same from anywhere (a hook, a constructor).
template <class Rep, class Period>
[[nodiscard]] Interval interval(const Host& host, std::chrono::duration<Rep, Period> period) {
    return Interval(host, Clock::now(host), std::chrono::duration_cast<Clock::duration>(period));
}
// Ticks every `period`, the first at `start`.
template <class Rep, class Period>
[[nodiscard]] Interval interval_at(const Host& host, Clock::time_point start,
                                   std::chrono::duration<Rep, Period> period) {
    return Interval(host, start, std::chrono::duration_cast<Clock::duration>(period));
}
template <class Rep, class Period>
[[nodiscard]] Interval interval_at(Clock::time_point start,
                                   std::chrono::duration<Rep, Period> period) {
    return interval_at(detail::current_host(), start, period);
}

}  // namespace sdk
}  // namespace weft
