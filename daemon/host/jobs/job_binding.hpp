// JobBinding: a configured job and what it runs. A bound job has the task function its plugin
// registered (plugin.h 6.10) and a JobTarget, the plugin its runs become tasks of; an unbound one
// keeps the reason, which the scheduler logs as one error naming the job, the plugin and the task
// (the other jobs are scheduled regardless). The coordinator (host/daemon/) binds the jobs: the
// scheduler knows plugins only through JobTarget.
#pragma once

#include <string>
#include <string_view>

#include "host/abi/job_function.hpp"
#include "host/config/config.hpp"
#include "host/crash/crash_site.hpp"
#include "weft/plugin.h"

namespace weft::host {

// Where a job's runs go. Thread-safety: every member from any thread (the scheduler's thread
// starts runs; a run's poll reads crash_identity on a runtime worker).
class JobTarget {
   public:
    virtual ~JobTarget() = default;
    // True once the plugin's shutdown began: no run starts any more.
    [[nodiscard]] virtual bool shutting_down() const noexcept = 0;
    // Who to name should a run's poll crash weftd (host/crash/crash_site.hpp).
    [[nodiscard]] virtual const CrashIdentity& crash_identity() const noexcept = 0;
    // Spawns (poll, state, drop) as a task of the plugin, with weft_task_spawn's contract: WEFT_OK
    // (the host owns state), WEFT_ERR_SHUTDOWN or WEFT_ERR_NO_MEMORY (state is still the caller's).
    // The task is named `name` (the job's).
    [[nodiscard]] virtual weft_status spawn(weft_task_poll_fn poll, void* state,
                                            weft_task_drop_fn drop,
                                            std::string_view name) noexcept = 0;
};

struct JobBinding {
    JobConfig config;
    JobTarget* target = nullptr;  // null when unbound; outlives the scheduler and every run
    JobFunction function;
    std::string problem;  // why it is unbound; empty when bound
    [[nodiscard]] bool bound() const noexcept { return target != nullptr; }
};

}  // namespace weft::host
