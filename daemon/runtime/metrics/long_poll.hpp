// LongPoll: the report of a poll that ran longer than RuntimeConfig::long_poll_threshold, and
// PollTagScope: how the code being polled names itself in such reports.
//
// A poll is one call of a task's code by a worker. One that runs long keeps that worker from
// everything else (Seastar calls it a reactor stall). With poll timing on (RuntimeConfig::
// poll_time_histogram) a monitor thread watches every worker's running poll; past the threshold
// it calls RuntimeConfig::on_long_poll while the poll still runs (finished = false), at the
// threshold and again each time the poll has run ten times longer, and the worker reports the
// end of an untagged poll itself (finished = true). A tagged poll reports its own end: the tag's
// owner knows its duration (PollTagScope::elapsed) and what to call it.
//
// Thread-safety: on_long_poll is called on the monitor thread for running polls and on the
// worker for finished ones; it must not block for long (the monitor is single-threaded) and
// must not take anything the polled code may hold while it waits for its PollTagScope to end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace weft {

struct LongPoll {
    std::size_t worker = 0;  // the worker's index (0 for current_thread)
    // How long the poll has run so far, or in all when finished.
    std::chrono::nanoseconds duration{0};
    // The PollTagScope tag of the running poll, or null. While on_long_poll runs on the monitor
    // thread, the PollTagScope cannot end: the object the tag points to stays alive.
    const void* tag = nullptr;
    bool finished = false;
};

// The clock of poll timing, in nanoseconds since an unspecified point (CLOCK_MONOTONIC):
//   Precise  the steady clock: a histogram of short polls, two clock reads per poll (about 20 ns
//            each on bare metal, ten times that on some virtual machines);
//   Coarse   CLOCK_MONOTONIC_COARSE: the kernel's last tick (its resolution is the tick, 1 to
//            4 ms), read from memory in a few ns. Polls shorter than a tick count 0 or one tick,
//            so sums over many polls (busy time) stay right on average, long polls are measured
//            to a tick, and the histogram's first buckets hold every short poll.
enum class PollClock { precise, coarse };
[[nodiscard]] std::uint64_t poll_clock_ns(PollClock clock = PollClock::precise) noexcept;

namespace detail {
struct PollWatch;
}

// Tags the poll running on this thread for the monitor's reports, from construction to
// destruction (inside one poll: a local of the polled code). Outside a worker, or with poll
// timing off, it tags nothing and costs one thread-local read. Scopes nest (the inner tag wins
// until it ends). Worker thread only; not movable.
class PollTagScope {
   public:
    explicit PollTagScope(const void* tag) noexcept;
    ~PollTagScope();
    PollTagScope(const PollTagScope&) = delete;
    PollTagScope& operator=(const PollTagScope&) = delete;

    // When the running poll started (poll_clock_ns()), or when this scope did (coarse clock) if
    // the worker does not time polls.
    [[nodiscard]] std::uint64_t poll_started_ns() const noexcept { return started_ns_; }
    // Time since poll_started_ns() (reads the runtime's poll clock).
    [[nodiscard]] std::chrono::nanoseconds elapsed() const noexcept {
        const std::uint64_t now = poll_clock_ns(clock_);
        return std::chrono::nanoseconds(now > started_ns_ ? now - started_ns_ : 0);
    }
    // The runtime's long_poll_threshold (0: reports are off).
    [[nodiscard]] std::chrono::milliseconds long_poll_threshold() const noexcept {
        return threshold_;
    }
    // The index of the worker polling (0 for current_thread or outside a runtime).
    [[nodiscard]] std::size_t worker() const noexcept { return worker_; }

   private:
    detail::PollWatch* watch_;
    const void* previous_ = nullptr;
    std::uint64_t started_ns_ = 0;
    std::chrono::milliseconds threshold_{0};
    std::size_t worker_ = 0;
    PollClock clock_ = PollClock::precise;
};

}  // namespace weft
