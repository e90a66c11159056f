// RuntimeConfig: every knob of a runtime, validated by Builder (builder.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "runtime/metrics/long_poll.hpp"

namespace weft {

enum class Flavor { current_thread, multi_thread };

struct RuntimeConfig {
    Flavor flavor = Flavor::multi_thread;
    std::size_t worker_threads = 0;  // 0 until built: then CPUs or WEFT_WORKER_THREADS
    std::uint32_t global_queue_interval = 31;
    std::uint32_t event_interval = 61;
    std::uint32_t budget = 128;
    bool lifo_slot = true;
    std::size_t max_blocking_threads = 512;
    std::chrono::milliseconds thread_keep_alive{10'000};
    std::string thread_name = "weft-worker";
    std::function<void()> on_thread_start;
    std::function<void()> on_thread_stop;
    // Per-poll timing feeds the longest-poll metric and the poll-time histogram. Off by default
    // (as in Tokio): two clock reads per poll are a measurable share of a tiny task.
    bool poll_time_histogram = false;
    // Which clock times polls (long_poll.hpp): Precise for a histogram of short polls, Coarse
    // where reading the precise clock is slow (virtual machines) and only long polls matter.
    PollClock poll_clock = PollClock::precise;
    // A poll running longer than this is reported to on_long_poll (long_poll.hpp); 0: never.
    // Above 0 it turns poll timing on. With poll timing on, a multi_thread runtime also runs a
    // monitor thread that frees what a worker stuck in one poll holds (see stall_monitor.hpp).
    std::chrono::milliseconds long_poll_threshold{0};
    std::function<void(const LongPoll&)> on_long_poll;
};

}  // namespace weft
