// Barrier: lets `n` tasks wait for each other (Tokio's `sync::Barrier`).
//
//     weft::sync::Barrier barrier(3);
//     auto r = co_await barrier.wait();    // completes when the 3rd task arrives
//     if (r.is_leader()) ...               // exactly one of the 3 per generation
//
// The n-th arrival of a generation is its leader: its wait completes at once and releases the
// n-1 others; the barrier is then reused for the next generation. Barrier(0) behaves as
// Barrier(1), as Tokio's.
//
// Thread-safety: any thread; the Barrier must outlive the waits.
// Cancellation safety: a task arrives at its first poll. Difference from Tokio (where a dropped
// wait still counts as arrived): a wait dropped before its generation completes leaves the barrier
// again, so the generation still needs n live participants.
// Coop: each poll of wait() spends one budget unit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync {

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

    class [[nodiscard]] Wait : public Pollable<Wait> {
       public:
        Wait(Wait&& o) noexcept : b_(o.b_), phase_(o.phase_) {
            if (o.phase_ == Phase::waiting) std::terminate();  // a waiting wait must not move
        }
        ~Wait();
        bool poll(Context& cx) noexcept;
        BarrierWaitResult await_resume() const noexcept {
            return BarrierWaitResult(phase_ == Phase::leader);
        }

       private:
        friend class Barrier;
        enum class Phase : std::uint8_t { init, waiting, leader, done };
        struct Waiter : detail::WaitNode {
            Waker waker;
            std::atomic<bool> released{false};  // stored last by the leader
        };
        explicit Wait(Barrier& b) noexcept : b_(&b) {}
        Barrier* b_;
        Phase phase_ = Phase::init;
        Waiter waiter_;
    };
    [[nodiscard]] Wait wait() noexcept { return Wait(*this); }

   private:
    std::mutex mutex_;
    std::size_t n_;
    std::size_t arrived_ = 0;
    detail::WaitList<Wait::Waiter> waiters_;
};

}  // namespace weft::sync
