#include "cli/runtime_setup.hpp"

#include <chrono>

#include "host/plugin/long_poll_log.hpp"

namespace weft::cli {

Runtime build_runtime(const host::RuntimeConfig& config) {
    Builder builder = config.flavor == Flavor::current_thread ? Builder::new_current_thread()
                                                              : Builder::new_multi_thread();
    if (config.worker_threads) builder.worker_threads(*config.worker_threads);
    builder.max_blocking_threads(config.max_blocking_threads)
        .thread_keep_alive(std::chrono::milliseconds(config.thread_keep_alive_ms))
        .global_queue_interval(config.global_queue_interval)
        .event_interval(config.event_interval)
        .budget(config.budget)
        .lifo_slot(config.lifo_slot)
        // Poll timing is always on: the histogram, the longest poll, per-plugin busy time and
        // the stall monitor need it; the coarse clock makes it nearly free.
        .poll_time_histogram(true)
        .poll_clock(config.poll_clock == host::PollClockChoice::precise ? PollClock::precise
                                                                        : PollClock::coarse)
        .long_poll_threshold(std::chrono::milliseconds(config.long_poll_threshold_ms),
                             host::log_long_poll);
    return builder.build();
}

}  // namespace weft::cli
