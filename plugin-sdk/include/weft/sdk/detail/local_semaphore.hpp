// Internal: a FIFO-fair counting semaphore for the plugin's own tasks, the base of weft::Mutex
// and weft::RwLock (as Tokio builds its Mutex and RwLock on its batch semaphore). Not API.
//
// Rules (on top of waiter.hpp's protocol):
//   1. Strict FIFO: an acquire takes permits at once only if nobody waits before it; the head
//      waiter is granted as soon as enough permits are free, and nobody behind it is served
//      before it (so a writer waiting for every permit is not starved by later readers).
//   2. A granted waiter owns its permits from the grant on: if its wait is cancelled before it
//      saw the grant, cancel() gives them back (and grants the next waiters).
//   3. A cancelled waiter that was at the head may let the ones behind it through: cancel()
//      grants again.
#pragma once

#include <cstdint>
#include <mutex>

#include "weft/plugin.h"
#include "weft/sdk/detail/waiter.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

class LocalSemaphore {
   public:
    explicit LocalSemaphore(std::uint64_t permits) noexcept : available_(permits) {}
    LocalSemaphore(const LocalSemaphore&) = delete;
    LocalSemaphore& operator=(const LocalSemaphore&) = delete;

    [[nodiscard]] bool try_acquire(std::uint64_t n) noexcept {
        const std::lock_guard lock(mutex_);
        if (!queue_.empty() || available_ < n) return false;
        available_ -= n;
        return true;
    }

    // One poll of an acquire of n permits by the waiter w. WEFT_OK: the permits are the caller's.
    [[nodiscard]] weft_status poll_acquire(weft_context* cx, Waiter& w, std::uint64_t n) noexcept {
        const std::lock_guard lock(mutex_);
        if (w.woken) {  // granted (rule 2): the permits were counted off for us
            w.woken = false;
            return WEFT_OK;
        }
        if (w.queued) return WEFT_PENDING;
        if (queue_.empty() && available_ >= n) {
            available_ -= n;
            return WEFT_OK;
        }
        const weft_status s = w.arm(cx);
        if (s != WEFT_OK) return s;
        w.need = n;
        queue_.push_back(w);
        return WEFT_PENDING;
    }

    // The acquire of w was dropped before it completed.
    void cancel(Waiter& w) noexcept {
        const std::lock_guard lock(mutex_);
        if (w.queued) {
            queue_.remove(w);
        } else if (w.woken) {  // rule 2
            w.woken = false;
            available_ += w.need;
        } else {
            return;
        }
        grant_locked();  // rule 3
    }

    void release(std::uint64_t n) noexcept {
        const std::lock_guard lock(mutex_);
        available_ += n;
        grant_locked();
    }

    [[nodiscard]] std::uint64_t available() const noexcept {
        const std::lock_guard lock(mutex_);
        return available_;
    }

   private:
    void grant_locked() noexcept {
        while (!queue_.empty() && available_ >= queue_.front()->need) {
            Waiter* w = queue_.pop_front();
            available_ -= w->need;
            w->wake();
        }
    }

    mutable std::mutex mutex_;
    std::uint64_t available_;
    WaitQueue queue_;
};

// The awaitable side of an acquire: owns its Waiter, cancels in its destructor.
class SemaphoreAcquire {
   public:
    SemaphoreAcquire(LocalSemaphore& semaphore, std::uint64_t n)
        : semaphore_(&semaphore), n_(n), waiter_(std::make_unique<Waiter>()) {}
    SemaphoreAcquire(SemaphoreAcquire&&) noexcept = default;
    SemaphoreAcquire& operator=(SemaphoreAcquire&&) = delete;
    ~SemaphoreAcquire() {
        if (waiter_ && !done_) semaphore_->cancel(*waiter_);
    }
    weft_status poll(weft_context* cx) noexcept {
        const weft_status s = semaphore_->poll_acquire(cx, *waiter_, n_);
        done_ = s == WEFT_OK;
        return s;
    }

   private:
    LocalSemaphore* semaphore_;
    std::uint64_t n_;
    std::unique_ptr<Waiter> waiter_;
    bool done_ = false;
};

}  // namespace detail
}  // namespace sdk
}  // namespace weft
