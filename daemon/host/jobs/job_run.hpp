// One run of a job: the start function's task, spawned as a task of the job's plugin.
//
// The plugin's (poll, state, drop) are wrapped in a JobRun, itself spawned through the job's
// JobTarget (the coordinator's calls spawn_plugin_task): so the run is an ordinary plugin task
// (counted by the plugin's task tracker, covered by the shutdown grace period and cancellation)
// whose end the scheduler learns of. The wrapper's poll records the outcome of the plugin's last
// poll; its drop (exactly once, from the task slot) drops the plugin's state, then reports the
// run's end to the core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "host/jobs/scheduler_core.hpp"

namespace weft::host {

// Calls the job's start function and spawns the run's task. The job must be marked running;
// every path (start failure, refused spawn, the task's end) reports through core.run_ended, so
// the mark is always cleared. Called on the scheduler's thread, without the core's lock.
void start_job_run(const std::shared_ptr<SchedulerCore>& core, const std::shared_ptr<JobState>& job,
                   std::uint64_t run) noexcept;

}  // namespace weft::host
