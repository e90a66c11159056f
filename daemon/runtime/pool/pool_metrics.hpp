// PoolMetrics: the counters every weft::Pool keeps, and the snapshot the admin endpoint shows.
//
// Counters are relaxed atomics: each is read on its own, so a snapshot taken while tasks acquire
// may be a few operations apart between fields (as every metric of the runtime). The acquire-wait
// histogram has fixed buckets (Prometheus style, cumulative when rendered): an acquire that found
// a free resource at once is counted in the first bucket without reading the clock, by the pool
// under the lock it takes anyway (an atomic add of its own would cost as much as the checkout).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace weft::pool {

// Why a resource was closed.
enum class CloseReason : std::uint8_t {
    broken,    // failed a read, a write or a health check, or a user marked it broken
    idle,      // idle longer than idle_timeout (above min_idle)
    lifetime,  // older than max_lifetime
    shutdown,  // the pool closed
};
inline constexpr std::size_t kCloseReasons = 4;
[[nodiscard]] const char* to_string(CloseReason reason) noexcept;

// Upper bounds of the acquire-wait buckets, in microseconds; the last bucket is +Inf.
inline constexpr std::array<std::uint64_t, 9> kWaitBucketsUs{
    100, 1'000, 5'000, 10'000, 50'000, 100'000, 500'000, 1'000'000, 5'000'000};
inline constexpr std::size_t kWaitBuckets = kWaitBucketsUs.size() + 1;

struct PoolSnapshot {
    std::uint64_t max_size = 0;
    std::uint64_t min_idle = 0;
    std::uint64_t size = 0;     // resources open now (idle + in use)
    std::uint64_t idle = 0;     // open and waiting to be acquired
    std::uint64_t in_use = 0;   // acquired and not yet given back
    std::uint64_t waiters = 0;  // acquires waiting for a free slot
    std::uint64_t acquisitions = 0;
    std::uint64_t timeouts = 0;  // acquires that gave up at acquire_timeout
    std::uint64_t creates = 0;
    std::uint64_t create_failures = 0;
    std::array<std::uint64_t, kCloseReasons> closes{};       // by CloseReason
    std::array<std::uint64_t, kWaitBuckets> wait_buckets{};  // per bucket, not cumulative
    std::uint64_t wait_sum_us = 0;
};

class PoolMetrics {
   public:
    void record_wait(std::chrono::nanoseconds waited) noexcept;
    void count_timeout() noexcept { timeouts_.fetch_add(1, std::memory_order_relaxed); }
    void count_create() noexcept { creates_.fetch_add(1, std::memory_order_relaxed); }
    void count_create_failure() noexcept {
        create_failures_.fetch_add(1, std::memory_order_relaxed);
    }
    void count_close(CloseReason reason) noexcept {
        closes_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    }
    // Fills the counters of `out` (the gauges are the pool's); `immediate`, the acquisitions that
    // did not wait, which the pool counts under its lock, go to the first bucket.
    void read(PoolSnapshot& out, std::uint64_t immediate) const noexcept;

   private:
    std::atomic<std::uint64_t> timeouts_{0};
    std::atomic<std::uint64_t> creates_{0};
    std::atomic<std::uint64_t> create_failures_{0};
    std::array<std::atomic<std::uint64_t>, kCloseReasons> closes_{};
    std::array<std::atomic<std::uint64_t>, kWaitBuckets> wait_buckets_{};
    std::atomic<std::uint64_t> wait_sum_us_{0};
};

}  // namespace weft::pool
