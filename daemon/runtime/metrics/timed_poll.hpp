// timed_poll: one poll of a task with the clock around it, as both flavors run it when poll
// timing is on: the poll-time histogram and longest poll, the PollWatch the stall monitor
// reads, and the end report of an untagged long poll (long_poll.hpp).
#pragma once

#include "runtime/config.hpp"
#include "runtime/metrics/metrics.hpp"
#include "runtime/task/header.hpp"

namespace weft::detail {

// Worker thread only; `counters` are that worker's. Consumes the notification reference.
void timed_poll(task::Header* t, WorkerCounters& counters, const RuntimeConfig& config) noexcept;

}  // namespace weft::detail
