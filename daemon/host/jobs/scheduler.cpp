#include "host/jobs/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "host/jobs/job_run.hpp"
#include "host/jobs/scheduler_core.hpp"

namespace weft::host {
namespace {

struct Start {
    std::size_t index;
    std::uint64_t run;
};

// One occurrence of job `index` is due: start it, skip it or queue it.
void occurrence(JobState& job, std::size_t index, std::vector<std::size_t>& to_start) {
    const JobConfig& c = job.binding.config;
    if (!job.running) {
        job.running = true;
        to_start.push_back(index);
    } else if (c.overlap == Overlap::skip) {
        ++job.counts.skipped;
        spdlog::debug("job '{}': the previous run is still running: skipped ({} so far)", c.name,
                      job.counts.skipped);
    } else if (!job.pending) {
        job.pending = true;
        spdlog::debug("job '{}': the previous run is still running: queued", c.name);
    } else {
        ++job.counts.skipped;
        spdlog::debug("job '{}': still running with a run queued: skipped ({} so far)", c.name,
                      job.counts.skipped);
    }
}

}  // namespace

JobScheduler::JobScheduler(std::vector<JobBinding> jobs)
    : core_(std::make_shared<SchedulerCore>(std::move(jobs))) {
    for (const JobState& job : core_->jobs) {
        const JobConfig& c = job.binding.config;
        if (job.binding.bound()) {
            spdlog::info("job '{}' scheduled: plugin '{}', task '{}', {}, priority {}, overlap {}",
                         c.name, c.plugin, c.task, describe(c.schedule), c.priority,
                         to_string(c.overlap));
        } else {
            spdlog::error("job '{}' is not scheduled: {}", c.name, job.binding.problem);
        }
    }
}

JobScheduler::~JobScheduler() { stop(); }

void JobScheduler::start() {
    const SchedulerNow now = SchedulerNow::now();
    {
        std::lock_guard lock(core_->mutex);
        for (JobState& job : core_->jobs) {
            if (!job.binding.bound()) continue;
            job.trigger.emplace(job.binding.config.schedule, now);
            if (!job.trigger->active()) {
                job.binding.problem =
                    "its cron expression \"" +
                    std::get<CronJobSchedule>(job.binding.config.schedule).expression +
                    "\" matches no date";
                spdlog::error("job '{}' is not scheduled: {}", job.binding.config.name,
                              job.binding.problem);
            }
        }
    }
    thread_ = std::thread([this] { loop(); });
}

void JobScheduler::stop() noexcept {
    {
        std::lock_guard lock(core_->mutex);
        if (core_->stopping && !thread_.joinable()) return;
        core_->stopping = true;
        for (JobState& job : core_->jobs) job.pending = job.run_now = false;
    }
    core_->cv.notify_all();
    if (thread_.joinable()) {
        thread_.join();
        spdlog::info("job scheduler stopped: no job run is started any more");
    }
}

void JobScheduler::loop() {
    SchedulerCore& core = *core_;
    std::unique_lock lock(core.mutex);
    while (!core.stopping) {
        const SchedulerNow now = SchedulerNow::now();
        std::vector<std::size_t> due;
        for (std::size_t i = 0; i < core.jobs.size(); ++i) {
            const JobState& job = core.jobs[i];
            if (job.run_now || (job.trigger && job.trigger->due(now))) due.push_back(i);
        }
        if (!due.empty()) {
            // Due together: higher priority first; stable, so ties keep config order.
            std::stable_sort(due.begin(), due.end(), [&](std::size_t a, std::size_t b) {
                return core.jobs[a].binding.config.priority > core.jobs[b].binding.config.priority;
            });
            std::vector<std::size_t> to_start;
            for (const std::size_t i : due) {
                JobState& job = core.jobs[i];
                if (job.trigger && job.trigger->due(now)) {
                    job.trigger->advance(now);
                    occurrence(job, i, to_start);
                }
                if (job.run_now) {  // its queued run; an occurrence due at once merges with it
                    job.run_now = false;
                    if (!job.running) {
                        job.running = true;
                        to_start.push_back(i);
                    }
                }
            }
            std::vector<Start> starts;
            starts.reserve(to_start.size());
            for (const std::size_t i : to_start) {
                JobState& job = core.jobs[i];
                ++job.counts.started;
                starts.push_back(Start{i, ++job.runs});
            }
            // Start functions are plugin code: called in order, without the lock.
            lock.unlock();
            for (const Start& s : starts) {
                spdlog::debug("job '{}': starting run #{}", core.jobs[s.index].binding.config.name,
                              s.run);
                start_job_run(core_, s.index, s.run);
            }
            lock.lock();
            continue;
        }
        std::optional<std::chrono::steady_clock::time_point> wake;
        for (const JobState& job : core.jobs) {
            if (!job.trigger || !job.trigger->active()) continue;
            const auto at = job.trigger->wake_at(now);
            if (!wake || at < *wake) wake = at;
        }
        if (wake) {
            core.cv.wait_until(lock, *wake);
        } else {
            core.cv.wait(lock);
        }
    }
}

std::vector<JobSummary> JobScheduler::summaries() const {
    std::lock_guard lock(core_->mutex);
    std::vector<JobSummary> out;
    out.reserve(core_->jobs.size());
    for (const JobState& job : core_->jobs) {
        const JobConfig& c = job.binding.config;
        out.push_back(JobSummary{
            c.name, c.plugin, c.task, describe(c.schedule), c.priority, c.overlap,
            job.binding.bound() && job.trigger && (job.trigger->active() || job.runs > 0),
            job.binding.problem, job.running, job.counts});
    }
    return out;
}

void JobScheduler::log_summaries() const {
    for (const JobSummary& j : summaries()) {
        if (!j.scheduled) continue;
        spdlog::debug(
            "job '{}' (plugin '{}', task '{}', {}): {} runs started, {} succeeded, {} failed, {} "
            "cancelled, {} skipped",
            j.name, j.plugin, j.task, j.schedule, j.counts.started, j.counts.succeeded,
            j.counts.failed, j.counts.cancelled, j.counts.skipped);
    }
}

}  // namespace weft::host
