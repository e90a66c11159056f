// Task ids: every spawned task and every spawn_blocking job has a number unique in the process
// (Tokio's `task::Id`), so that a JoinError or a log line can be traced to the task it is about.
// Ids start at 1 and are not reused; 0 means "no task". Their order says nothing about the order
// of spawning.
//
// A spawned task is numbered only when its id is first asked for (JoinHandle::id(),
// AbortHandle::id(), a JoinError): spawning pays nothing and the task's block holds no id. The id
// of a numbered task lives in a side table keyed by its header; State::NUMBERED in the state
// word tells whoever frees the block to take the entry out (forget_id), so a block reused at the
// same address starts unnumbered.
#pragma once

#include <cstdint>

namespace weft::task {

struct Header;

// The next unused id. Any thread; one relaxed atomic increment.
[[nodiscard]] std::uint64_t next_id() noexcept;

// The id of a spawned task, numbering it on the first call. Any thread; the caller holds a
// reference on the task. Every call for one task gives the same id. Takes a lock: not for a
// hot path (std::terminate if the table cannot grow).
[[nodiscard]] std::uint64_t id_of(Header* task) noexcept;

// Drops a numbered task's entry: called once, as its block is freed (State::NUMBERED is set).
void forget_id(const Header* task) noexcept;

}  // namespace weft::task
