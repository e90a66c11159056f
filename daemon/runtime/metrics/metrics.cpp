#include "runtime/metrics/metrics.hpp"

#include <bit>

namespace weft::detail {

void WorkerCounters::record_poll_time(std::uint64_t ns) noexcept {
    std::uint64_t us = ns / 1000;
    std::size_t bucket = us == 0 ? 0 : static_cast<std::size_t>(std::bit_width(us) - 1);
    if (bucket >= kPollHistogramBuckets) bucket = kPollHistogramBuckets - 1;
    bump(poll_histogram[bucket]);
    if (ns > longest_poll_ns.load(std::memory_order_relaxed))
        longest_poll_ns.store(ns, std::memory_order_relaxed);
}

WorkerMetrics WorkerCounters::snapshot() const noexcept {
    auto r = [](const auto& a) { return a.load(std::memory_order_relaxed); };
    WorkerMetrics m;
    m.polls = r(polls);
    m.steals = r(steals);
    m.steal_operations = r(steal_operations);
    m.parks = r(parks);
    m.unparks = r(unparks);
    m.overflows = r(overflows);
    m.lifo_hits = r(lifo_hits);
    m.budget_forced_yields = r(budget_forced_yields);
    m.local_queue_depth = r(local_queue_depth);
    m.busy_time = std::chrono::nanoseconds(r(busy_ns));
    m.longest_poll = std::chrono::nanoseconds(r(longest_poll_ns));
    if (const std::uint64_t started = r(watch.started_ns)) {
        const std::uint64_t now = poll_clock_ns(watch.clock);
        m.current_poll = std::chrono::nanoseconds(now > started ? now - started : 0);
    }
    return m;
}

}  // namespace weft::detail
