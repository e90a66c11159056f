// PollWatch: what a worker publishes about the poll it runs, for the stall monitor
// (stall_monitor.hpp) on another thread, and the timed poll both flavors run.
//
// The tag protocol (a one-slot hazard pointer). The worker sets `tag` when a PollTagScope begins
// and clears it when the scope ends; the object behind the tag lives at least until then. The
// monitor, to use the object:
//   1. sets `tag_in_use` (seq_cst), 2. loads `tag` (seq_cst), 3. uses it if not null,
//   4. clears `tag_in_use` (release).
// The scope's end: stores null in `tag` (seq_cst), then waits while `tag_in_use` is set. Both
// sides store then load in one total order (seq_cst), so either the monitor's load sees null, or
// the scope's load sees `tag_in_use` and waits for step 4: the object is never used after the
// scope ended. The monitor holds it for one report (a log line); a scope pays one locked store.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/metrics/long_poll.hpp"

namespace weft::detail {

struct PollWatch {
    // When the running poll started (poll_clock_ns), 0 between polls. The worker writes, the
    // monitor reads; relaxed: the monitor needs a recent value, not an order with anything.
    std::atomic<std::uint64_t> started_ns{0};
    std::atomic<const void*> tag{nullptr};
    std::atomic<bool> tag_in_use{false};
    // Worker thread only: a PollTagScope ran in the current poll (it reports the poll's end).
    bool tagged = false;
    std::size_t worker = 0;
    std::chrono::milliseconds threshold{0};
    PollClock clock = PollClock::precise;

    // The end of a scope (worker thread only): stores the enclosing scope's tag (or null), then
    // waits out a monitor that may have loaded the old one (the protocol above).
    void restore_tag(const void* previous) noexcept {
        tag.store(previous, std::memory_order_seq_cst);
        while (tag_in_use.load(std::memory_order_seq_cst)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
    }
};

}  // namespace weft::detail
