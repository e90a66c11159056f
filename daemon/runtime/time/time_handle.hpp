// TimeHandle: a runtime's time driver: its clock, its timing wheel and the lock around the wheel.
//
// Owners (Sleep, Timeout, Interval: through detail::Timer) register entries from any thread; the
// driver (driver.hpp) asks for the next deadline before it parks and fires what is due after.
//
// The entry state is the hand-off between an entry's owner and the driver:
//
//   kIdle        not in the wheel. Only the owner touches the entry.
//   kRegistered  in the wheel (a slot or the pending list). Links, `when` and `waker` are
//                guarded by the mutex; the owner must lock to change or remove them.
//   kFired       the driver took it out of the wheel and moved its waker out, then stored kFired
//                (release) as its last access. An owner that reads kFired (acquire) owns the
//                entry again without locking: this is why dropping or polling a fired timer, or
//                a timer never registered, takes no lock.
//
// Wakers are never woken or dropped while the mutex is held: a dropped waker may free a task whose
// frame holds other timers, whose destructors would lock the mutex again.
//
// Unparking (the whole protocol between wheel, driver and park is written down at the top of
// driver/driver.cpp): a registration that moves the earliest deadline before the one a parked
// driver sleeps until (`parked_until_`) unparks it. Registrations made while nobody is parked (the
// usual case on a busy runtime, and always on current_thread) cost no wake-up: the next park()
// computes its deadline from the wheel.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>

#include "runtime/task/context.hpp"
#include "runtime/time/clock.hpp"
#include "runtime/time/wheel.hpp"

namespace weft::time::detail {

inline constexpr std::uint8_t kIdle = 0;
inline constexpr std::uint8_t kRegistered = 1;
inline constexpr std::uint8_t kFired = 2;

class TimeHandle {
   public:
    using UnparkFn = void (*)(void* ctx) noexcept;
    static constexpr std::uint64_t kMaxTick = std::uint64_t{1} << 62;

    TimeHandle(UnparkFn unpark, void* unpark_ctx) noexcept;
    TimeHandle(const TimeHandle&) = delete;
    TimeHandle& operator=(const TimeHandle&) = delete;

    [[nodiscard]] Clock& clock() noexcept { return clock_; }
    [[nodiscard]] const Clock& clock() const noexcept { return clock_; }

    // Tick conversions: a deadline rounds up (a timer never fires early), the present rounds down.
    [[nodiscard]] std::uint64_t deadline_to_tick(Instant deadline) const noexcept;
    [[nodiscard]] std::uint64_t instant_to_tick(Instant t) const noexcept;
    [[nodiscard]] Instant tick_to_instant(std::uint64_t tick) const noexcept;
    [[nodiscard]] Instant origin() const noexcept { return origin_; }

    // --- owner side (any thread) ---
    // Files an idle entry for `tick` with `waker`. False when the tick already passed: the entry
    // stays idle and the caller treats the timer as fired.
    [[nodiscard]] bool register_timer(TimerEntry& e, std::uint64_t tick,
                                      const WakerRef& waker) noexcept;
    // Replaces the waker of a registered entry unless it wakes the same task. False when the entry
    // fired meanwhile.
    [[nodiscard]] bool update_waker(TimerEntry& e, const WakerRef& waker) noexcept;
    // Removes a registered entry (no effect when it fired meanwhile). Leaves it idle.
    void deregister(TimerEntry& e) noexcept;
    // Moves a registered entry to `tick`, keeping its waker.
    enum class Refile {
        filed,      // in the wheel for `tick`
        fired_now,  // `tick` already passed: the entry is fired and its waker was woken
        was_fired,  // the driver fired it (for the old tick) before we got the lock
    };
    [[nodiscard]] Refile reregister(TimerEntry& e, std::uint64_t tick) noexcept;

    // --- driver side (the thread in Driver::park) ---
    // The earliest tick a timer waits for; when `parking`, records it as the tick the driver will
    // sleep until, so that an earlier registration unparks it.
    [[nodiscard]] std::optional<std::uint64_t> prepare_park(bool parking) noexcept;
    // Fires every timer due at or before `now_tick` (waking outside the lock) and clears the
    // parked mark. Cheap, without locking, when nothing can be due.
    void process(std::uint64_t now_tick) noexcept;
    // Fires every timer, refuses new ones (they fire at once). Runtime shutdown.
    void shutdown() noexcept;

    // Timers filed in the wheel so far (tests: a ready timeout files none).
    [[nodiscard]] std::uint64_t registrations() const noexcept {
        return registrations_.load(std::memory_order_relaxed);
    }
    // Entries in the wheel now.
    [[nodiscard]] std::size_t active() const noexcept {
        return active_.load(std::memory_order_relaxed);
    }

   private:
    static constexpr std::uint64_t kNotParked = 0;  // no tick is before it: no unpark
    static constexpr std::uint64_t kNoDeadline = std::numeric_limits<std::uint64_t>::max();
    void refresh_earliest() noexcept;  // with the lock held

    Clock clock_;
    const Instant origin_;  // tick 0
    const UnparkFn unpark_;
    void* const unpark_ctx_;

    std::mutex mutex_;
    Wheel wheel_;            // guarded by mutex_
    bool shutdown_ = false;  // guarded
    // The tick a parked driver sleeps until (kNoDeadline: until unparked), or kNotParked. Written
    // under the lock by prepare_park, read under it by registrations; cleared without the lock
    // after the park (a registration that still sees it only costs a spurious unpark).
    std::atomic<std::uint64_t> parked_until_{kNotParked};
    // The wheel's next expiration or earlier: process() skips locking while the present is
    // before it. Written under the lock.
    std::atomic<std::uint64_t> earliest_{kNoDeadline};
    std::atomic<std::uint64_t> registrations_{0};
    std::atomic<std::size_t> active_{0};
};

}  // namespace weft::time::detail
