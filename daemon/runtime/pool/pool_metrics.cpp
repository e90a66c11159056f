#include "runtime/pool/pool_metrics.hpp"

namespace weft::pool {

const char* to_string(CloseReason reason) noexcept {
    switch (reason) {
        case CloseReason::broken:
            return "broken";
        case CloseReason::idle:
            return "idle";
        case CloseReason::lifetime:
            return "lifetime";
        case CloseReason::shutdown:
            return "shutdown";
    }
    return "unknown";
}

void PoolMetrics::record_wait(std::chrono::nanoseconds waited) noexcept {
    const auto us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(waited).count());
    std::size_t bucket = 0;
    while (bucket < kWaitBucketsUs.size() && us > kWaitBucketsUs[bucket]) ++bucket;
    wait_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    wait_sum_us_.fetch_add(us, std::memory_order_relaxed);
}

void PoolMetrics::read(PoolSnapshot& out, std::uint64_t immediate) const noexcept {
    out.timeouts = timeouts_.load(std::memory_order_relaxed);
    out.creates = creates_.load(std::memory_order_relaxed);
    out.create_failures = create_failures_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < kCloseReasons; ++i)
        out.closes[i] = closes_[i].load(std::memory_order_relaxed);
    out.acquisitions = 0;
    for (std::size_t i = 0; i < kWaitBuckets; ++i) {
        out.wait_buckets[i] = wait_buckets_[i].load(std::memory_order_relaxed);
        out.acquisitions += out.wait_buckets[i];
    }
    out.wait_buckets[0] += immediate;
    out.acquisitions += immediate;
    out.wait_sum_us = wait_sum_us_.load(std::memory_order_relaxed);
}

}  // namespace weft::pool
