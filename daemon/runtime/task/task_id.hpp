// Task ids: every spawned task and every spawn_blocking job gets a number unique in the process
// (Tokio's `task::Id`), starting at 1, so that a JoinError or a log line can be traced to the task
// it is about. Ids are not reused; 0 means "no task".
#pragma once

#include <cstdint>

namespace weft::task {

// The next unused id. Any thread; one relaxed atomic increment.
[[nodiscard]] std::uint64_t next_id() noexcept;

}  // namespace weft::task
