// The multi_thread flavor: N workers with work stealing (Tokio's `scheduler/multi_thread`).
//
// Each worker runs tasks from its LIFO slot, its local queue (queue.hpp), the overflow list its
// full local queue sheds into and the global injection queue; when all are empty it steals half
// of another worker's queue (or takes from its overflow list), and parks
// (park.hpp) when there is nothing to steal. idle.hpp decides whom to wake. See worker.cpp for
// the run loop and its fairness rules.
#pragma once

#include <memory>

#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::detail {

[[nodiscard]] std::shared_ptr<SchedulerHandle> make_multi_thread(const RuntimeConfig& config);

}  // namespace weft::detail
