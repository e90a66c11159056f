// StallMonitor: a thread that watches every worker's running poll (PollWatch) while poll timing
// is on, as Seastar's stall detector watches its reactor.
//
// Every kPeriod (shorter for a small threshold) it reads each worker's PollWatch:
//   - a poll that has run kRescueAfter is "stuck": `rescue(worker, first)` runs at each check
//     while it lasts (first = true the first time). The multi_thread flavor then frees what a
//     busy worker holds: the task in its LIFO slot goes to the global queue and (the first time,
//     or with such a task) a parked worker is woken, which takes over the driver (timers, I/O)
//     if nobody else holds it. Without this a worker that parked on its own futex word while
//     the busy one owned the driver would sleep through every timer until the poll ends.
//   - a poll that has run long_poll_threshold is reported (on_long_poll, finished = false),
//     then again each time it has run ten times longer (1x, 10x, 100x the threshold...).
// Reading a PollWatch costs a worker nothing: the monitor only loads what the worker stores.
//
// Thread-safety: construct and destroy on one thread; `rescue` and on_long_poll run on the
// monitor's thread. Destruction stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/metrics/poll_watch.hpp"

namespace weft::detail {

class StallMonitor {
   public:
    static constexpr std::chrono::milliseconds kPeriod{10};
    static constexpr std::chrono::milliseconds kRescueAfter{10};

    StallMonitor(std::vector<PollWatch*> watches, const RuntimeConfig& config,
                 std::function<void(std::size_t worker, bool first)> rescue);
    ~StallMonitor();
    StallMonitor(const StallMonitor&) = delete;
    StallMonitor& operator=(const StallMonitor&) = delete;

   private:
    struct Seen {
        std::uint64_t started_ns = 0;    // the poll last seen running, 0 for none
        std::uint64_t report_at_ns = 0;  // its next report, measured from its start
        bool rescued = false;
    };
    void run();
    void check(std::size_t index, std::uint64_t now);
    void report(std::size_t index, std::uint64_t started, std::uint64_t now);

    std::vector<PollWatch*> watches_;
    std::vector<Seen> seen_;
    std::uint64_t threshold_ns_;
    std::function<void(const LongPoll&)> on_long_poll_;
    std::function<void(std::size_t, bool)> rescue_;
    std::chrono::milliseconds period_;
    PollClock clock_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace weft::detail
