// Cooperative budget (Tokio's `coop`). Each poll of a task starts with `budget` units; every
// operation on a runtime resource (channel send/recv, semaphore acquire, notify, timers, join)
// spends one through poll_proceed(). When none are left the operation returns pending after
// waking its task, which therefore goes to the back of the run queue: a task looping over an
// always-ready channel still lets the others run.
#pragma once

#include <cstdint>
#include <limits>

#include "runtime/context/thread_context.hpp"

namespace weft::coop {

inline constexpr std::uint32_t kUnconstrained = std::numeric_limits<std::uint32_t>::max();

// Spends one unit. False when the budget is spent: the task was woken, return pending.
[[nodiscard]] inline bool poll_proceed(const Context& cx) noexcept {
    auto& t = detail::tls();
    if (t.budget == kUnconstrained) return true;
    if (t.budget == 0) {
        cx.waker().wake_by_ref();
        if (auto* c = t.forced_yields)  // single writer: the polling worker
            c->store(c->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
    }
    --t.budget;
    return true;
}

// Gives back the unit of an operation that turned out to be pending (it did no work).
inline void refund() noexcept {
    auto& t = detail::tls();
    if (t.budget != kUnconstrained) ++t.budget;
}

[[nodiscard]] inline bool has_budget_remaining() noexcept { return detail::tls().budget != 0; }

}  // namespace weft::coop
