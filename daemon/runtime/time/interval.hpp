// weft::time::Interval: ticks at a fixed period (Tokio's `time::interval`, `time::Interval`).
//
//   auto iv = weft::time::interval(std::chrono::milliseconds(100));
//   for (;;) { weft::time::Instant at = co_await iv.tick(); ... }
//
// The first tick completes at once (interval) or at `start` (interval_at); each tick() returns
// the instant the tick was scheduled for. When a tick is more than 5 ms late (the task was busy
// or the runtime stalled), MissedTickBehavior decides when the following ticks come:
//   Burst (default)  the missed ticks come at once, one per tick() call, until caught up; the
//                    schedule keeps its original phase (start + k * period).
//   Delay            the next tick comes one period after the late one was taken; the schedule
//                    shifts.
//   Skip             missed ticks are dropped: the next tick is the next one of the original
//                    schedule that is still ahead.
//
// reset() (next tick one period from now), reset_immediately(), reset_after(d) and reset_at(t)
// restart the schedule from that next tick, and wake a task waiting in tick() (Tokio's).
//
// tick() is cancellation safe: dropping a pending tick() loses no tick. Polling consumes coop
// budget. An Interval is used by one task at a time and must be made inside a runtime.
#pragma once

#include <stdexcept>

#include "runtime/task/pollable.hpp"
#include "runtime/time/instant.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::time {

enum class MissedTickBehavior { burst, delay, skip };

class Interval {
   public:
    Interval(detail::TimeHandle& handle, Instant start, Duration period);
    Interval(Interval&&) noexcept = default;
    Interval& operator=(Interval&&) = delete;

    class [[nodiscard]] Tick : public Pollable<Tick> {
       public:
        explicit Tick(Interval& interval) noexcept : interval_(&interval) {}
        bool poll(Context& cx) noexcept { return interval_->poll_tick(cx, at_); }
        [[nodiscard]] Instant await_resume() const noexcept { return at_; }

       private:
        Interval* interval_;
        Instant at_{};
    };

    // Completes at the next tick with the instant it was scheduled for.
    [[nodiscard]] Tick tick() noexcept { return Tick(*this); }
    // The poll behind tick(): true with `scheduled` set when a tick is due.
    bool poll_tick(Context& cx, Instant& scheduled) noexcept;

    // Restarts the schedule: the next tick comes one period from now.
    void reset() noexcept;
    // Restarts the schedule from now: the next tick completes at once, then every period.
    void reset_immediately() noexcept;
    // Restarts the schedule: the next tick comes `after` from now (a negative or zero `after`
    // ticks at once), then every period from there.
    void reset_after(Duration after) noexcept;
    // Restarts the schedule: the next tick comes at `deadline` (at once if it passed), then every
    // period from there.
    void reset_at(Instant deadline) noexcept;
    [[nodiscard]] MissedTickBehavior missed_tick_behavior() const noexcept { return behavior_; }
    void set_missed_tick_behavior(MissedTickBehavior b) noexcept { behavior_ = b; }
    [[nodiscard]] Duration period() const noexcept { return period_; }

   private:
    [[nodiscard]] Instant next_after_missed(Instant scheduled, Instant now) const noexcept;

    detail::TimeHandle* handle_;
    Sleep delay_;
    Duration period_;
    MissedTickBehavior behavior_ = MissedTickBehavior::burst;
};

// Ticks now, then every `period`. Throws std::invalid_argument for a non-positive period,
// std::logic_error outside a runtime.
[[nodiscard]] Interval interval(Duration period);
// Ticks at `start`, then every `period`.
[[nodiscard]] Interval interval_at(Instant start, Duration period);

}  // namespace weft::time
