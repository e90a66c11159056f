// BatchSemaphore's slow paths (see batch_semaphore.hpp for the invariants).
//
// Invariants, all under mutex_ (a spin lock):
//  1. WAITERS is set exactly when waiters_ is non-empty.
//  2. While WAITERS is set the free count is 0: a release goes through release_locked, which
//     serves the head first and only adds to the free count once the list is empty.
//  3. A Waiter is linked iff its state is non-zero and has no kNodeClosed bit. Whoever unlinks it
//     moves the waker out first and stores the state last (release).
#include "runtime/sync/batch_semaphore.hpp"

#include <utility>

namespace weft::sync::detail {

void BatchSemaphore::close() noexcept {
    WakeList<Waker> wakers;
    std::unique_lock lock(mutex_);
    word_.fetch_or(kClosed, std::memory_order_acq_rel);
    while (Waiter* w = waiters_.pop_front()) {
        if (!wakers.can_push()) wakers.wake_all();  // under the lock: waking only queues a task
        wakers.push(std::move(w->waker));
        w->state.store(w->state.load(std::memory_order_relaxed) | kNodeClosed,
                       std::memory_order_release);
    }
    word_.fetch_and(~kWaiters, std::memory_order_acq_rel);
    lock.unlock();
    wakers.wake_all();
}

void BatchSemaphore::release_slow(std::size_t n) noexcept {
    std::unique_lock lock(mutex_);
    release_locked(n, lock);
}

void BatchSemaphore::release_locked(std::size_t n, std::unique_lock<Lock>& lock) noexcept {
    WakeList<Waker> wakers;
    while (n > 0 && !waiters_.empty()) {
        Waiter* w = waiters_.front();
        std::size_t need = w->state.load(std::memory_order_relaxed) >> 1;
        if (n < need) {
            w->state.store((need - n) << 1, std::memory_order_release);  // partial assignment
            n = 0;
            break;
        }
        n -= need;
        (void)waiters_.pop_front();
        if (!wakers.can_push()) wakers.wake_all();
        wakers.push(std::move(w->waker));
        w->state.store(0, std::memory_order_release);  // last touch: the Acquire may now finish
    }
    if (waiters_.empty()) {
        std::size_t cur = word_.load(std::memory_order_relaxed);
        if ((cur & kWaiters) || n > 0) {
            for (;;) {
                if ((cur >> kShift) + n > kMaxPermits) std::abort();  // a permit accounting bug
                std::size_t next = (cur & ~kWaiters) + (n << kShift);
                if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                                std::memory_order_relaxed))
                    break;
            }
        }
    }
    lock.unlock();
    wakers.wake_all();
}

// --- Acquire
// --------------------------------------------------------------------------------------

BatchSemaphore::Acquire::Acquire(Acquire&& other) noexcept
    : sem_(other.sem_), n_(other.n_), queued_(other.queued_), acquired_(other.acquired_) {
    other.acquired_ = false;
    if (!queued_) return;
    other.queued_ = false;
    std::lock_guard lock(sem_->mutex_);
    std::size_t s = other.node_.state.load(std::memory_order_relaxed);
    node_.state.store(s, std::memory_order_relaxed);
    if (s != 0 && !(s & kNodeClosed)) {
        sem_->waiters_.replace(&other.node_, &node_);
        node_.waker = std::move(other.node_.waker);
    }
}

BatchSemaphore::Acquire::~Acquire() {
    if (acquired_) {
        sem_->release(n_);
        return;
    }
    if (!queued_) return;
    std::size_t s = node_.state.load(std::memory_order_acquire);
    if (s == 0) {  // fully assigned and unlinked, never taken
        sem_->release(n_);
        return;
    }
    std::unique_lock lock(sem_->mutex_);
    s = node_.state.load(std::memory_order_relaxed);
    if (s != 0 && !(s & kNodeClosed)) {
        sem_->waiters_.remove(&node_);
        // Removing the head may leave permits for the next one, or an empty list (clear WAITERS):
        // release_locked settles both, even with nothing to give back.
    }
    sem_->release_locked(n_ - (s >> 1), lock);
}

BatchSemaphore::Acquire::Poll BatchSemaphore::Acquire::poll_enqueue(
    const WakerRef& waker) noexcept {
    BatchSemaphore& sem = *sem_;
    std::unique_lock lock(sem.mutex_);
    std::size_t cur = sem.word_.load(std::memory_order_acquire);
    std::size_t got = 0;
    for (;;) {
        if (cur & kClosed) return Poll::closed;
        std::size_t avail = cur >> kShift;
        if (!(cur & kWaiters) && avail >= n_) {  // permits came back meanwhile
            if (sem.word_.compare_exchange_weak(cur, cur - (n_ << kShift),
                                                std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
                acquired_ = true;
                return Poll::ready;
            }
            continue;
        }
        // Take what is free (nothing if others wait) and mark the list non-empty.
        if (sem.word_.compare_exchange_weak(cur, (cur & kClosed) | kWaiters,
                                            std::memory_order_acq_rel, std::memory_order_acquire)) {
            got = avail;
            break;
        }
    }
    node_.state.store((n_ - got) << 1, std::memory_order_relaxed);
    node_.waker = waker.clone();
    sem.waiters_.push_back(&node_);
    queued_ = true;
    return Poll::pending;
}

BatchSemaphore::Acquire::Poll BatchSemaphore::Acquire::poll_queued(const WakerRef& waker) noexcept {
    std::unique_lock lock(sem_->mutex_);
    std::size_t s = node_.state.load(std::memory_order_relaxed);
    if (s == 0) {
        queued_ = false;
        acquired_ = true;
        return Poll::ready;
    }
    if (s & kNodeClosed) return closed_locked(s, lock);
    waker.store_into(node_.waker);
    return Poll::pending;
}

BatchSemaphore::Acquire::Poll BatchSemaphore::Acquire::closed_locked(
    std::size_t s, std::unique_lock<Lock>& lock) noexcept {
    queued_ = false;
    sem_->release_locked(n_ - (s >> 1), lock);
    return Poll::closed;
}

}  // namespace weft::sync::detail
