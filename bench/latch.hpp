// A count-down latch for the benchmarks, exactly as the Tokio anchor's: each finished task counts
// down (one atomic decrement); the one that reaches zero calls Notify::notify_one(), which stores
// a permit if the waiter is not registered yet, so the wake-up cannot be lost; the root task
// awaits notified() until the count is zero. Tasks share it through std::shared_ptr (the anchor's
// Arc): the root may return while the last count_down is still inside notify_one.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/sync/notify.hpp"
#include "runtime/task/task.hpp"

namespace weft::bench {

class Latch {
   public:
    explicit Latch(std::uint64_t count) : remaining_(count) {}
    void count_down() {
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) notify_.notify_one();
    }
    [[nodiscard]] Task<void> wait() {
        while (remaining_.load(std::memory_order_acquire) != 0) co_await notify_.notified();
    }

   private:
    std::atomic<std::uint64_t> remaining_;
    sync::Notify notify_;
};

}  // namespace weft::bench
