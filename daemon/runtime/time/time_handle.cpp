#include "runtime/time/time_handle.hpp"

#include <array>
#include <limits>
#include <utility>
#include "runtime/util/stress.hpp"

namespace weft::time::detail {
namespace {

constexpr std::uint64_t kNsPerTick = 1'000'000;

// Wakers fired per lock hold: bounds how long registrations wait behind a big expiry.
constexpr std::size_t kWakeBatch = 32;

}  // namespace

TimeHandle::TimeHandle(UnparkFn unpark, void* unpark_ctx) noexcept
    : origin_(clock_.now()), unpark_(unpark), unpark_ctx_(unpark_ctx) {}

std::uint64_t TimeHandle::deadline_to_tick(Instant deadline) const noexcept {
    if (deadline <= origin_) return 0;
    const auto ns = static_cast<std::uint64_t>((deadline - origin_).count());
    const std::uint64_t tick = ns / kNsPerTick + (ns % kNsPerTick != 0 ? 1 : 0);
    // Rounding up must not pass the last tick the clock can show: sleep(max) saturates at
    // Instant::max(), and a timer one tick beyond what now() can ever reach would never fire
    // (a paused clock auto-advanced to the end would then spin on it forever).
    const std::uint64_t last = instant_to_tick(Instant::max());
    return tick < last ? tick : last;
}

std::uint64_t TimeHandle::instant_to_tick(Instant t) const noexcept {
    if (t <= origin_) return 0;
    const std::uint64_t tick = static_cast<std::uint64_t>((t - origin_).count()) / kNsPerTick;
    return tick < kMaxTick ? tick : kMaxTick;
}

Instant TimeHandle::tick_to_instant(std::uint64_t tick) const noexcept {
    // Saturate before converting: a tick near the clock's end (a top-level ring turn) may not fit
    // in nanoseconds, and a wrapped instant would make a parked driver spin on a deadline it
    // thinks has passed.
    constexpr std::uint64_t kMaxMs =
        static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max()) / kNsPerTick;
    if (tick > kMaxMs) return Instant::max();
    return add_saturating(origin_, Duration(static_cast<Duration::rep>(tick * kNsPerTick)));
}

void TimeHandle::refresh_earliest() noexcept {
    earliest_.store(wheel_.next_expiration().value_or(kNoDeadline), std::memory_order_release);
}

bool TimeHandle::register_timer(TimerEntry& e, std::uint64_t tick, const WakerRef& waker) noexcept {
    Waker w = waker.clone();  // declared before the lock: dropped after unlocking
    bool unpark = false;
    WEFT_STRESS_POINT();
    {
        std::lock_guard lock(mutex_);
        if (shutdown_ || !wheel_.insert(&e, tick)) return false;
        e.waker = std::move(w);
        e.state.store(kRegistered, std::memory_order_relaxed);
        active_.fetch_add(1, std::memory_order_relaxed);
        registrations_.fetch_add(1, std::memory_order_relaxed);
        const std::uint64_t due = wheel_.slot_deadline(e);
        if (due < earliest_.load(std::memory_order_relaxed))
            earliest_.store(due, std::memory_order_release);
        if (tick < parked_until_.load(std::memory_order_relaxed)) {
            parked_until_.store(tick, std::memory_order_relaxed);
            unpark = true;
        }
    }
    if (unpark) unpark_(unpark_ctx_);
    return true;
}

bool TimeHandle::update_waker(TimerEntry& e, const WakerRef& waker) noexcept {
    Waker old;  // dropped after unlocking
    std::lock_guard lock(mutex_);
    if (e.state.load(std::memory_order_relaxed) != kRegistered) return false;
    if (!waker.will_wake(e.waker)) old = std::exchange(e.waker, waker.clone());
    return true;
}

void TimeHandle::deregister(TimerEntry& e) noexcept {
    if (e.state.load(std::memory_order_acquire) != kRegistered) return;
    Waker old;  // dropped after unlocking
    {
        std::lock_guard lock(mutex_);
        if (e.state.load(std::memory_order_relaxed) == kRegistered) {
            wheel_.remove(&e);
            old = std::move(e.waker);
            active_.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    e.state.store(kIdle, std::memory_order_relaxed);
}

TimeHandle::Refile TimeHandle::reregister(TimerEntry& e, std::uint64_t tick) noexcept {
    Waker due;  // woken after unlocking when the new tick already passed
    bool unpark = false;
    {
        std::lock_guard lock(mutex_);
        if (e.state.load(std::memory_order_relaxed) != kRegistered) return Refile::was_fired;
        wheel_.remove(&e);
        if (shutdown_ || !wheel_.insert(&e, tick)) {
            due = std::move(e.waker);
            active_.fetch_sub(1, std::memory_order_relaxed);
            e.state.store(kFired, std::memory_order_relaxed);
        } else {
            const std::uint64_t slot_due = wheel_.slot_deadline(e);
            if (slot_due < earliest_.load(std::memory_order_relaxed))
                earliest_.store(slot_due, std::memory_order_release);
            if (tick < parked_until_.load(std::memory_order_relaxed)) {
                parked_until_.store(tick, std::memory_order_relaxed);
                unpark = true;
            }
        }
    }
    if (unpark) unpark_(unpark_ctx_);
    if (due) {
        due.wake();
        return Refile::fired_now;
    }
    return Refile::filed;
}

std::optional<std::uint64_t> TimeHandle::prepare_park(bool parking) noexcept {
    std::lock_guard lock(mutex_);
    std::optional<std::uint64_t> next = wheel_.next_expiration();
    if (parking) parked_until_.store(next.value_or(kNoDeadline), std::memory_order_relaxed);
    return next;
}

void TimeHandle::process(std::uint64_t now_tick) noexcept {
    parked_until_.store(kNotParked, std::memory_order_relaxed);
    WEFT_STRESS_POINT();
    if (now_tick < earliest_.load(std::memory_order_acquire)) return;
    std::array<Waker, kWakeBatch> batch;
    std::size_t n = 0;
    std::unique_lock lock(mutex_);
    while (TimerEntry* e = wheel_.poll(now_tick)) {
        batch[n++] = std::move(e->waker);
        active_.fetch_sub(1, std::memory_order_relaxed);
        e->state.store(kFired, std::memory_order_release);  // the last access to *e
        if (n == kWakeBatch) {
            lock.unlock();
            for (std::size_t i = 0; i < n; ++i) batch[i].wake();
            n = 0;
            lock.lock();
        }
    }
    refresh_earliest();
    lock.unlock();
    for (std::size_t i = 0; i < n; ++i) batch[i].wake();
}

void TimeHandle::shutdown() noexcept {
    {
        std::lock_guard lock(mutex_);
        shutdown_ = true;
    }
    process(kNoDeadline);
}

}  // namespace weft::time::detail
