// Notify's slow paths: everything that takes the lock (see notify.hpp for the contract).
//
// Invariants (all under Notify::mutex_, a spin lock):
//  1. The state is WAITING exactly when the wait list is non-empty.
//  2. A Waiter is linked iff its Notified is in phase Waiting and its notification is kNone.
//     A notifier unlinks the node, moves its waker out, and stores the notification last
//     (release): once a Notified reads a notification (acquire), nobody touches its node again,
//     so it may complete and be destroyed without the lock.
//  3. A Notified whose notification is kOne owns one notify_one notification: if it is destroyed
//     instead of completing, it re-issues it (notify_locked) before letting go of the lock.
#include "runtime/sync/notify.hpp"

#include <utility>
#include "runtime/util/stress.hpp"

namespace weft::sync {

// --- Notify
// ---------------------------------------------------------------------------------------

Waker Notify::notify_locked(bool last) noexcept {
    std::uint64_t cur = state_.load(std::memory_order_relaxed);
    if ((cur & kStateMask) != kWaiting) {
        // Nobody waits: store the permit. Only the lock-free paths may race with us here, and
        // they only switch EMPTY <-> NOTIFIED, so a CAS loop settles it.
        while (!state_.compare_exchange_weak(cur, (cur & ~kStateMask) | kNotified,
                                             std::memory_order_acq_rel,
                                             std::memory_order_relaxed)) {
        }
        return Waker();
    }
    Waiter* w = last ? waiters_.pop_back() : waiters_.pop_front();
    if (waiters_.empty())
        state_.store((cur & ~kStateMask) | kEmpty, std::memory_order_release);  // we own WAITING
    Waker waker = std::move(w->waker);
    w->notification.store(Notified::kOne, std::memory_order_release);  // last touch of the node
    return waker;
}

void Notify::notify_one_slow(bool last) noexcept {
    WEFT_STRESS_POINT();
    Waker waker;
    {
        std::lock_guard lock(mutex_);
        waker = notify_locked(last);
    }
    waker.wake();
}

void Notify::notify_waiters() noexcept {
    detail::WakeList<Waker> wakers;
    std::unique_lock lock(mutex_);
    std::uint64_t cur = state_.load(std::memory_order_relaxed);
    if ((cur & kStateMask) != kWaiting) {
        // Nobody registered: only count the call, so that Notified futures created before it
        // complete at their first poll. The permit bit is left as it is.
        state_.fetch_add(kCallsOne, std::memory_order_acq_rel);
        return;
    }
    // Count the call first: from now on a new Notified sees the new count and a Notified created
    // before it, registering meanwhile, is told by the count mismatch.
    state_.store((cur + kCallsOne) & ~kStateMask, std::memory_order_release);
    while (Waiter* w = waiters_.pop_front()) {
        if (!wakers.can_push()) wakers.wake_all();  // under the lock: waking only queues a task
        wakers.push(std::move(w->waker));
        w->notification.store(Notified::kAll, std::memory_order_release);
    }
    lock.unlock();
    wakers.wake_all();
}

// --- Notified
// -------------------------------------------------------------------------------------

Notified::Notified(Notified&& other) noexcept
    : notify_(other.notify_), initial_calls_(other.initial_calls_), phase_(other.phase_) {
    if (phase_ != Phase::waiting) {
        other.phase_ = Phase::done;
        return;
    }
    std::lock_guard lock(notify_->mutex_);
    auto n = other.waiter_.notification.load(std::memory_order_relaxed);
    waiter_.notification.store(n, std::memory_order_relaxed);
    if (n == kNone) {
        notify_->waiters_.replace(&other.waiter_, &waiter_);
        waiter_.waker = std::move(other.waiter_.waker);
    }
    // The moved-from object no longer owns a registration or a notification.
    other.waiter_.notification.store(kAll, std::memory_order_relaxed);
    other.phase_ = Phase::done;
}

Notified::~Notified() {
    if (phase_ != Phase::waiting) return;
    Notify& n = *notify_;
    auto note = waiter_.notification.load(std::memory_order_acquire);
    if (note == kAll) return;  // already unlinked, nothing to hand on
    Waker waker;
    {
        std::lock_guard lock(n.mutex_);
        note = waiter_.notification.load(std::memory_order_relaxed);
        if (note == kNone) {
            n.waiters_.remove(&waiter_);
            if (n.waiters_.empty()) {
                std::uint64_t cur = n.state_.load(std::memory_order_relaxed);
                if ((cur & Notify::kStateMask) == Notify::kWaiting)
                    n.state_.store(cur & ~Notify::kStateMask, std::memory_order_release);
            }
        } else if (note == kOne) {
            // We were picked by notify_one but will never complete: pass it on.
            waker = n.notify_locked();
        }
    }
    waker.wake();
}

bool Notified::enable() noexcept { return poll_notified(nullptr); }

bool Notified::poll_notified(const WakerRef* waker) noexcept {
    switch (phase_) {
        case Phase::init:
            return poll_init(waker);
        case Phase::waiting:
            return poll_waiting(waker);
        case Phase::done:
            return true;
    }
    return true;
}

bool Notified::poll_init(const WakerRef* waker) noexcept {
    Notify& n = *notify_;
    // A notify_waiters() since this Notified was created completes it first, and leaves a stored
    // permit to the next waiter (taking both would lose one wake-up).
    if ((n.state_.load(std::memory_order_acquire) >> Notify::kCallsShift) != initial_calls_) {
        phase_ = Phase::done;
        return true;
    }
    if (n.try_take_permit()) {
        phase_ = Phase::done;
        return true;
    }
    std::lock_guard lock(n.mutex_);
    std::uint64_t cur = n.state_.load(std::memory_order_acquire);
    if ((cur >> Notify::kCallsShift) != initial_calls_) {
        phase_ = Phase::done;  // notify_waiters ran since this Notified was created
        return true;
    }
    for (;;) {
        std::uint64_t s = cur & Notify::kStateMask;
        if (s == Notify::kWaiting) break;
        if (s == Notify::kEmpty) {
            if (n.state_.compare_exchange_weak(cur, cur | Notify::kWaiting,
                                               std::memory_order_acq_rel,
                                               std::memory_order_acquire))
                break;
        } else if (n.state_.compare_exchange_weak(cur, cur & ~Notify::kStateMask,
                                                  std::memory_order_acq_rel,
                                                  std::memory_order_acquire)) {
            phase_ = Phase::done;  // a permit arrived meanwhile: take it
            return true;
        }
    }
    if (waker) waiter_.waker = waker->clone();
    waiter_.notification.store(kNone, std::memory_order_relaxed);
    n.waiters_.push_back(&waiter_);
    phase_ = Phase::waiting;
    return false;
}

bool Notified::poll_waiting(const WakerRef* waker) noexcept {
    if (waiter_.notification.load(std::memory_order_acquire) != kNone) {
        phase_ = Phase::done;
        return true;
    }
    // Not notified yet (first poll after enable(), or a spurious wake): refresh the waker.
    std::lock_guard lock(notify_->mutex_);
    if (waiter_.notification.load(std::memory_order_relaxed) != kNone) {
        phase_ = Phase::done;
        return true;
    }
    if (waker) waker->store_into(waiter_.waker);
    return false;
}

}  // namespace weft::sync
