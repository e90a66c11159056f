// The log lines of long polls (runtime.long_poll_threshold_ms), weftd's
// RuntimeConfig::on_long_poll:
//
//   plugin 'blocker' task #3 (spawned at blocker.so+0x1a2b) has been running for 104 ms in
//     one poll on worker 1: it holds the worker (move blocking calls to spawn_blocking)
//   plugin 'blocker' task #3 (spawned at blocker.so+0x1a2b) returned after 2003 ms in one poll
//     on worker 1 (threshold 100 ms; move blocking calls to spawn_blocking)
//
// both at level warn on weftd's logger. The first comes from the runtime's monitor thread while the
// poll still runs (again at 10x and 100x the threshold), the second from the worker when it ends. A
// poll that is not a plugin task's (the host's own tasks) is named "a task of weftd".
#pragma once

#include <chrono>
#include <cstddef>

#include "host/log/poll_subject.hpp"
#include "runtime/metrics/long_poll.hpp"

namespace weft::host {

// For RuntimeConfig::on_long_poll: a report's tag, when set, is a PollSubject.
void log_long_poll(const LongPoll& report);

// The end of a plugin task's long poll (TaskSlot::poll knows its duration).
void log_long_poll_end(const PollSubject& subject, std::size_t worker,
                       std::chrono::nanoseconds duration, std::chrono::milliseconds threshold);

}  // namespace weft::host
