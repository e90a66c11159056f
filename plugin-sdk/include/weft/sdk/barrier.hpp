// weft::Barrier: lets n of the plugin's tasks wait until all n reached it (Tokio's
// tokio::sync::Barrier).
//
//   auto barrier = std::make_shared<weft::Barrier>(3);
//   // in each of 3 tasks:
//   const bool leader = (co_await barrier->wait()).is_leader();   // exactly one is the leader
//
// The n-th wait() of a generation completes it: that waiter returns at once as the leader, the
// n-1 others are woken and return as followers, and the barrier starts the next generation (it
// is reusable). A barrier of 0 behaves as one of 1 (every wait() leads), as Tokio's.
//
// Cancel safety: as Tokio's, not cancel-safe. A wait() counts its task as arrived from its first
// poll; cancelling it later does not take the arrival back (the generation may complete with one
// task fewer actually waiting).
//
// Ownership: wait() borrows the barrier, which must outlive it (share it with a shared_ptr).
// Thread-safety: wait() from plugin tasks on any worker. Errors: wait() throws
// Error(WEFT_ERR_NO_MEMORY) if the host cannot give a waker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/detail/waiter.hpp"
#include "weft/sdk/error.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

class BarrierWaitResult {
   public:
    explicit BarrierWaitResult(bool leader) noexcept : leader_(leader) {}
    [[nodiscard]] bool is_leader() const noexcept { return leader_; }

   private:
    bool leader_;
};

class Barrier {
   public:
    explicit Barrier(std::size_t n) noexcept : n_(n == 0 ? 1 : n) {}
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    class [[nodiscard]] Wait : public Awaitable<Wait> {
       public:
        explicit Wait(Barrier& barrier)
            : barrier_(&barrier), waiter_(std::make_unique<detail::Waiter>()) {}
        Wait(Wait&& other) noexcept
            : Awaitable<Wait>(other),
              barrier_(other.barrier_),
              waiter_(std::move(other.waiter_)),
              arrived_(other.arrived_),
              leader_(other.leader_) {}
        Wait& operator=(Wait&&) = delete;
        ~Wait() {
            if (waiter_ && waiter_->queued) {
                const std::lock_guard lock(barrier_->mutex_);
                barrier_->waiters_.remove(*waiter_);
            }
        }
        weft_status poll(weft_context* cx) noexcept {
            Barrier& b = *barrier_;
            const std::lock_guard lock(b.mutex_);
            if (arrived_) return waiter_->woken ? WEFT_OK : WEFT_PENDING;
            const weft_status s = waiter_->arm(cx);
            if (s != WEFT_OK) return s;
            arrived_ = true;
            if (++b.arrived_ == b.n_) {  // the last of this generation: lead, wake the rest
                b.arrived_ = 0;
                b.waiters_.wake_all();
                leader_ = true;
                weft_waker_drop(std::exchange(waiter_->waker, nullptr));
                return WEFT_OK;
            }
            b.waiters_.push_back(*waiter_);
            return WEFT_PENDING;
        }
        BarrierWaitResult await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "weft::Barrier::wait");
            return BarrierWaitResult(leader_);
        }

       private:
        Barrier* barrier_;
        std::unique_ptr<detail::Waiter> waiter_;
        bool arrived_ = false;
        bool leader_ = false;
    };
    [[nodiscard]] Wait wait() { return Wait(*this); }

   private:
    std::mutex mutex_;
    std::size_t n_;
    std::size_t arrived_ = 0;  // in the current generation
    detail::WaitQueue waiters_;
};

}  // namespace sdk
}  // namespace weft
