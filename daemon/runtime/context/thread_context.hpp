// Per-thread state of the runtime: which task this thread is polling, its coop budget, and which
// scheduler the thread belongs to (so weft::spawn finds the current runtime).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/task/context.hpp"

namespace weft::task {
struct Header;
}

namespace weft::detail {

class SchedulerHandle;
struct PollWatch;

struct ThreadContext {
    task::Header* task = nullptr;                         // the task being polled, or null
    Context* cx = nullptr;                                // its poll context
    std::uint32_t budget = 0;                             // coop units left in this poll
    std::atomic<std::uint64_t>* forced_yields = nullptr;  // the polling worker's metric
    SchedulerHandle* scheduler = nullptr;                 // the runtime this thread runs tasks for
    void* worker = nullptr;                               // that scheduler's per-thread state
    PollWatch* poll_watch = nullptr;  // the worker's, when it times polls (long_poll.hpp)
};

inline thread_local ThreadContext t_context{};

[[nodiscard]] inline ThreadContext& tls() noexcept { return t_context; }

}  // namespace weft::detail
