// Runtime metrics: snapshots readable at any time from any thread, without stopping the world.
// Each counter has one writer (its worker) and is read with relaxed loads, so a snapshot is
// consistent per counter, not across counters.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/metrics/poll_watch.hpp"

namespace weft {

struct WorkerMetrics {
    std::uint64_t polls = 0;
    std::uint64_t steals = 0;            // tasks taken from other workers
    std::uint64_t steal_operations = 0;  // successful steal attempts
    std::uint64_t parks = 0;
    std::uint64_t unparks = 0;
    std::uint64_t overflows = 0;  // times half the local queue moved to the global queue
    std::uint64_t lifo_hits = 0;
    std::uint64_t budget_forced_yields = 0;
    std::size_t local_queue_depth = 0;
    std::chrono::nanoseconds busy_time{0};
    std::chrono::nanoseconds longest_poll{0};  // needs poll_time_histogram
    // How long the poll it runs now has run, 0 if none (needs poll_time_histogram).
    std::chrono::nanoseconds current_poll{0};
};

// Poll times in power-of-two buckets: bucket i counts polls of [2^i, 2^(i+1)) microseconds,
// bucket 0 also everything under 1 us, the last one everything above.
inline constexpr std::size_t kPollHistogramBuckets = 16;

struct RuntimeMetrics {
    std::size_t num_workers = 0;
    std::vector<WorkerMetrics> workers;
    std::size_t alive_tasks = 0;
    std::uint64_t spawned_tasks = 0;
    std::size_t global_queue_depth = 0;
    std::size_t blocking_threads = 0;
    std::size_t idle_blocking_threads = 0;
    std::size_t blocking_queue_depth = 0;
    std::size_t abandoned_blocking_threads = 0;  // left running by shutdown_timeout
    std::array<std::uint64_t, kPollHistogramBuckets> poll_time_histogram{};
};

namespace detail {

// The live counters of one worker. Only the worker writes (load + store: no locked add).
struct WorkerCounters {
    std::atomic<std::uint64_t> polls{0}, steals{0}, steal_operations{0}, parks{0}, unparks{0},
        overflows{0}, lifo_hits{0}, budget_forced_yields{0}, busy_ns{0}, longest_poll_ns{0};
    std::atomic<std::size_t> local_queue_depth{0};
    std::array<std::atomic<std::uint64_t>, kPollHistogramBuckets> poll_histogram{};
    PollWatch watch;  // the running poll, for the stall monitor

    static void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void record_poll_time(std::uint64_t ns) noexcept;
    [[nodiscard]] WorkerMetrics snapshot() const noexcept;
};

}  // namespace detail
}  // namespace weft
