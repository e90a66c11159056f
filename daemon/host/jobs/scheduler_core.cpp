#include "host/jobs/scheduler_core.hpp"

#include <spdlog/spdlog.h>

namespace weft::host {

SchedulerCore::SchedulerCore(std::vector<JobBinding> bindings) {
    jobs.reserve(bindings.size());
    for (JobBinding& b : bindings) jobs.push_back(std::make_shared<JobState>(std::move(b)));
}

void SchedulerCore::run_ended(JobState& ended, std::uint64_t run, RunOutcome outcome,
                              std::string_view why,
                              std::chrono::steady_clock::duration took) noexcept {
    try {
        bool wake = false;
        {
            std::lock_guard lock(mutex);
            JobState* live = &ended;  // where the job's state went, should a reload replace it
            while (live->successor) live = live->successor.get();
            JobState& job = *live;
            job.running = false;
            JobLastRun last;
            last.run = run;
            last.ended = std::chrono::system_clock::now();
            last.took = std::chrono::duration_cast<std::chrono::milliseconds>(took);
            switch (outcome) {
                case RunOutcome::succeeded:
                    ++job.counts.succeeded;
                    last.result = "succeeded";
                    break;
                case RunOutcome::failed:
                    ++job.counts.failed;
                    last.result = "failed";
                    last.message = why;
                    break;
                case RunOutcome::cancelled:
                    ++job.counts.cancelled;
                    last.result = "cancelled";
                    last.message = why;
                    break;
            }
            // A run that ends after a later one did (overlap "allow") does not hide it.
            if (!job.last_run || job.last_run->run < run) job.last_run = std::move(last);
            if (job.pending && !stopping) {
                job.pending = false;
                job.run_now = true;
                wake = true;
            }
        }
        if (wake) cv.notify_all();
        const JobConfig& job = ended.binding.config;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
        switch (outcome) {
            case RunOutcome::succeeded:
                spdlog::debug("job '{}' (plugin '{}', task '{}'): run #{} succeeded in {} ms",
                              job.name, job.plugin, job.task, run, ms);
                break;
            case RunOutcome::failed:
                spdlog::error("job '{}' (plugin '{}', task '{}'): run #{} failed after {} ms: {}",
                              job.name, job.plugin, job.task, run, ms, why);
                break;
            case RunOutcome::cancelled:
                spdlog::warn("job '{}' (plugin '{}', task '{}'): run #{} was cancelled: {}",
                             job.name, job.plugin, job.task, run, why);
                break;
        }
    } catch (...) {  // a log line is never worth losing the count above
    }
}

}  // namespace weft::host
