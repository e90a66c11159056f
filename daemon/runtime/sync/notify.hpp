// Notify: wakes one task or all waiting tasks, without carrying data (Tokio's `sync::Notify`).
//
//   notify_one()     wakes the longest-waiting registered waiter; with nobody registered it stores
//                    ONE permit (several calls still store one) that the next `notified()` takes
//                    at once.
//   notify_last()    the same, but wakes the most recently registered waiter (LIFO).
//   notify_waiters() wakes every waiter registered now and every `Notified` created before the
//                    call (even one not yet polled); it stores no permit.
//   notified()       returns a `Notified` awaitable. It is registered (queued for notify_one) when
//                    first polled, or earlier by `enable()`, which makes register-then-check loops
//                    race-free:
//
//                        auto n = notify.notified();
//                        n.enable();                  // now queued: a notify_one cannot be missed
//                        if (!condition()) co_await n;
//
// Guarantees: waiters are served in FIFO order; a notification is never lost: a `Notified` picked
// by notify_one that is destroyed before it completes (its task was aborted) passes the
// notification on to the next waiter, or back as the stored permit. notify_one() happens-before
// the completion of the `Notified` it releases.
//
// Cost: notify_one() with nobody waiting and a poll that finds the permit are one CAS each, with
// no lock; registering and notifying a registered waiter take the lock once. The lock is a spin
// lock (runtime/util/spin_lock.hpp, yielding after a short spin): its critical sections are a few
// pointer updates, which it serves with less than half the cost of a futex mutex under
// contention. Waiting allocates nothing: the waiter node lives inside the Notified.
//
// Thread-safety: all members may be called from any thread. A Notify must outlive its Notified
// awaitables. A Notified is used by one task at a time.
//
// Cancellation safety: awaiting a Notified is cancellation safe: dropping it unregisters it and
// hands a notify_one notification it already received to the next waiter.
//
// Coop: each poll of a Notified spends one unit of the task's budget (Tokio 1.24's does not).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/util/spin_lock.hpp"

namespace weft::sync {

class Notify;

class [[nodiscard]] Notified : public Pollable<Notified> {
   public:
    // A registered Notified may be moved: it is relinked under the Notify's lock.
    Notified(Notified&& other) noexcept;
    Notified& operator=(Notified&&) = delete;
    Notified(const Notified&) = delete;
    ~Notified();

    // Registers this waiter now, as a first poll would but without a waker. True if it was
    // already notified (then awaiting it completes at once).
    bool enable() noexcept;

    bool poll(Context& cx) noexcept {
        if (phase_ == Phase::done) return true;
        if (!coop::poll_proceed(cx)) return false;
        if (poll_notified(&cx.waker())) return true;
        coop::refund();
        return false;
    }
    void await_resume() const noexcept {}

    // As poll(), without touching the coop budget: for awaitables built on a Notified that spend
    // the budget themselves once per poll (watch, CancellationToken, mpsc closed()).
    bool poll_unbudgeted(Context& cx) noexcept { return poll_notified(&cx.waker()); }

   private:
    friend class Notify;
    enum class Phase : std::uint8_t { init, waiting, done };
    // What woke a waiter; written under the Notify's lock as the notifier's last touch of the node.
    enum Notification : std::uint8_t { kNone = 0, kOne = 1, kAll = 2 };
    struct Waiter : detail::WaitNode {
        Waker waker;
        std::atomic<std::uint8_t> notification{kNone};
    };

    Notified(Notify& notify, std::uint64_t calls) noexcept
        : notify_(&notify), initial_calls_(calls) {}
    bool poll_notified(const WakerRef* waker) noexcept;
    bool poll_init(const WakerRef* waker) noexcept;
    bool poll_waiting(const WakerRef* waker) noexcept;

    Notify* notify_;
    std::uint64_t initial_calls_;  // notify_waiters calls seen when this was created
    Phase phase_ = Phase::init;
    Waiter waiter_;
};

class Notify {
   public:
    Notify() noexcept = default;
    Notify(const Notify&) = delete;
    Notify& operator=(const Notify&) = delete;
    ~Notify() = default;

    void notify_one() noexcept {
        std::uint64_t cur = state_.load(std::memory_order_acquire);
        // EMPTY or NOTIFIED: store the permit without the lock. NOTIFIED -> NOTIFIED is still a
        // CAS so that the waiter that takes the permit synchronises with this call too.
        while ((cur & kStateMask) != kWaiting) {
            if (state_.compare_exchange_weak(cur, (cur & ~kStateMask) | kNotified,
                                             std::memory_order_acq_rel, std::memory_order_acquire))
                return;
        }
        notify_one_slow(false);
    }
    // As notify_one(), releasing the most recently registered waiter instead of the oldest.
    void notify_last() noexcept {
        std::uint64_t cur = state_.load(std::memory_order_acquire);
        while ((cur & kStateMask) != kWaiting) {
            if (state_.compare_exchange_weak(cur, (cur & ~kStateMask) | kNotified,
                                             std::memory_order_acq_rel, std::memory_order_acquire))
                return;
        }
        notify_one_slow(true);
    }
    void notify_waiters() noexcept;

    [[nodiscard]] Notified notified() noexcept {
        return Notified(*this, state_.load(std::memory_order_acquire) >> kCallsShift);
    }

   private:
    friend class Notified;
    using Waiter = Notified::Waiter;

    // The state word: bits 0-1 EMPTY / WAITING / NOTIFIED, bits 2.. the number of notify_waiters
    // calls (wrapping). Leaving WAITING requires the mutex; so does entering it.
    static constexpr std::uint64_t kEmpty = 0;     // no waiter, no permit
    static constexpr std::uint64_t kWaiting = 1;   // the wait list is not empty
    static constexpr std::uint64_t kNotified = 2;  // one permit stored
    static constexpr std::uint64_t kStateMask = 3;
    static constexpr unsigned kCallsShift = 2;
    static constexpr std::uint64_t kCallsOne = std::uint64_t{1} << kCallsShift;

    // Takes a stored permit: NOTIFIED -> EMPTY in one CAS.
    [[nodiscard]] bool try_take_permit() noexcept {
        std::uint64_t cur = state_.load(std::memory_order_acquire);
        while ((cur & kStateMask) == kNotified) {
            if (state_.compare_exchange_weak(cur, cur & ~kStateMask, std::memory_order_acq_rel,
                                             std::memory_order_acquire))
                return true;
        }
        return false;
    }
    void notify_one_slow(bool last) noexcept;
    // With the lock held: releases one waiter, the oldest or with `last` the newest (returns its
    // waker, to wake after unlocking) or, with nobody waiting, stores the permit.
    [[nodiscard]] Waker notify_locked(bool last = false) noexcept;

    std::atomic<std::uint64_t> state_{kEmpty};
    weft::detail::SpinLock mutex_;
    detail::WaitList<Waiter> waiters_;
};

}  // namespace weft::sync
