#include "runtime/metrics/timed_poll.hpp"

#include "runtime/context/thread_context.hpp"
#include "runtime/task/harness.hpp"

namespace weft::detail {

void timed_poll(task::Header* t, WorkerCounters& counters, const RuntimeConfig& config) noexcept {
    PollWatch& watch = counters.watch;
    const std::uint64_t start = poll_clock_ns(watch.clock);
    watch.started_ns.store(start, std::memory_order_relaxed);
    watch.tagged = false;
    task::run(t);
    // block_in_place handed the worker, and with it `counters`, to another thread during the
    // poll (it cleared the watch then): this thread must not touch them any more.
    if (tls().poll_watch != &watch) return;
    const std::uint64_t end = poll_clock_ns(watch.clock);
    const std::uint64_t ns = end > start ? end - start : 0;
    watch.started_ns.store(0, std::memory_order_relaxed);
    counters.record_poll_time(ns);
    // A tagged poll reported its end itself (long_poll.hpp); an untagged one is reported here.
    if (watch.threshold.count() > 0 && !watch.tagged &&
        std::chrono::nanoseconds(ns) >= watch.threshold && config.on_long_poll) {
        try {
            config.on_long_poll(
                LongPoll{watch.worker, std::chrono::nanoseconds(ns), nullptr, true});
        } catch (...) {
            // A report that fails is lost; the worker goes on.
        }
    }
}

}  // namespace weft::detail
