// SchedulerCore: the job scheduler's state, shared between its thread and the job runs in flight
// (a run reports its end from whichever worker dropped its task, possibly after the scheduler
// object is gone: hence shared ownership).
//
// Thread-safety: every field below `mutex` is guarded by it, except each JobState's `binding`,
// which never changes once the scheduler's thread started.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
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
    bool running = false;               // a run was started and has not ended
    bool pending = false;               // overlap "queue": one more run when the current one ends
    bool run_now = false;               // the queued run is due now
    std::uint64_t runs = 0;             // run numbers handed out
    JobCounts counts;
};

class SchedulerCore {
   public:
    explicit SchedulerCore(std::vector<JobBinding> bindings);

    // A run ended (or never got going): counts it, logs it, and if a run was queued behind it,
    // marks that one due now. Any thread; never throws.
    void run_ended(std::size_t index, std::uint64_t run, RunOutcome outcome, std::string_view why,
                   std::chrono::steady_clock::duration took) noexcept;

    std::mutex mutex;
    std::condition_variable cv;
    bool stopping = false;
    std::vector<JobState> jobs;  // config order; never resized after construction
};

}  // namespace weft::host
