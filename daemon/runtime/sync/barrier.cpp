#include "runtime/sync/barrier.hpp"

#include <utility>

namespace weft::sync {

Barrier::Wait::~Wait() {
    if (phase_ != Phase::waiting || waiter_.released.load(std::memory_order_acquire)) return;
    std::lock_guard lock(b_->mutex_);
    if (waiter_.released.load(std::memory_order_relaxed)) return;
    b_->waiters_.remove(&waiter_);
    --b_->arrived_;  // leave the generation we never completed
}

bool Barrier::Wait::poll(Context& cx) noexcept {
    if (phase_ == Phase::leader || phase_ == Phase::done) return true;
    if (!coop::poll_proceed(cx)) return false;
    if (phase_ == Phase::waiting && waiter_.released.load(std::memory_order_acquire)) {
        phase_ = Phase::done;
        return true;
    }
    detail::WakeList<Waker> wakers;
    std::unique_lock lock(b_->mutex_);
    if (phase_ == Phase::waiting) {
        if (waiter_.released.load(std::memory_order_relaxed)) {
            phase_ = Phase::done;
            return true;
        }
        cx.waker().store_into(waiter_.waker);
        coop::refund();
        return false;
    }
    if (++b_->arrived_ < b_->n_) {
        waiter_.waker = cx.waker().clone();
        b_->waiters_.push_back(&waiter_);
        phase_ = Phase::waiting;
        coop::refund();
        return false;
    }
    // The n-th arrival: release this generation and start the next.
    b_->arrived_ = 0;
    while (Waiter* w = b_->waiters_.pop_front()) {
        if (!wakers.can_push()) wakers.wake_all();
        wakers.push(std::move(w->waker));
        w->released.store(true, std::memory_order_release);
    }
    phase_ = Phase::leader;
    lock.unlock();
    wakers.wake_all();
    return true;
}

}  // namespace weft::sync
