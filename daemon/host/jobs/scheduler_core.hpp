// SchedulerCore: the job scheduler's state, shared between its thread and the job runs in flight
// (a run reports its end from whichever worker dropped its task, possibly after the scheduler
// object is gone: hence shared ownership).
//
// A live reload replaces the list of jobs (JobScheduler::update): each job's state is then a new
// JobState, and the one it replaces points to it (`successor`), so a run started before the
// reload, which holds its own JobState, reports its end where the job's counts and running mark
// now are: a job is never run twice at once across a reload.
//
// Thread-safety: every field below `mutex` is guarded by it, except each JobState's `binding`,
// which never changes once the state exists (a run reads it without the lock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "host/jobs/job_binding.hpp"
#include "host/jobs/job_summary.hpp"
#include "host/jobs/job_trigger.hpp"

namespace weft::host {

enum class RunOutcome { succeeded, failed, cancelled };

struct JobState {
    explicit JobState(JobBinding b) : binding(std::move(b)) {}
    JobBinding binding;
    std::optional<JobTrigger> trigger;  // bound jobs, from start()
    // The trigger of a job a reload unbound while its plugin restarts, handed back when it is
    // bound again with the same schedule: a restart does not move its next occurrence.
    std::optional<JobTrigger> parked;
    bool running = false;    // a run was started and has not ended
    bool pending = false;    // overlap "queue": one more run when the current one ends
    bool run_now = false;    // the queued run is due now
    std::uint64_t runs = 0;  // run numbers handed out
    JobCounts counts;
    std::optional<JobLastRun> last_run;
    // Set by a reload that replaced this state (the job kept its name); null otherwise.
    std::shared_ptr<JobState> successor;
};

class SchedulerCore {
   public:
    explicit SchedulerCore(std::vector<JobBinding> bindings);

    // A run ended (or never got going): counts it, logs it, and if a run was queued behind it,
    // marks that one due now. Any thread; never throws.
    void run_ended(JobState& job, std::uint64_t run, RunOutcome outcome, std::string_view why,
                   std::chrono::steady_clock::duration took) noexcept;

    std::mutex mutex;
    std::condition_variable cv;
    bool stopping = false;
    // True while the scheduler's thread calls start functions without the lock: a reload waits
    // for it to be false, so no run of a job it replaced starts after it returned.
    bool starting = false;
    std::vector<std::shared_ptr<JobState>> jobs;  // config order
};

}  // namespace weft::host
