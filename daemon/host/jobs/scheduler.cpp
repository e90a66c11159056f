#include "host/jobs/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "host/jobs/job_run.hpp"
#include "host/jobs/scheduler_core.hpp"

namespace weft::host {
namespace {

struct Start {
    std::shared_ptr<JobState> job;
    std::uint64_t run;
};

using JobPtr = std::shared_ptr<JobState>;

void log_binding(const JobState& job) {
    const JobConfig& c = job.binding.config;
    if (job.binding.bound()) {
        spdlog::info("job '{}' scheduled: plugin '{}', task '{}', {}, priority {}, overlap {}",
                     c.name, c.plugin, c.task, describe(c.schedule), c.priority,
                     to_string(c.overlap));
    } else {
        spdlog::error("job '{}' is not scheduled: {}", c.name, job.binding.problem);
    }
}

// A bound job's trigger, from `now`; logs a cron expression that matches no date.
void arm(JobState& job, const SchedulerNow& now) {
    job.trigger.emplace(job.binding.config.schedule, now);
    if (!job.trigger->active()) {
        job.binding.problem = "its cron expression \"" +
                              std::get<CronJobSchedule>(job.binding.config.schedule).expression +
                              "\" matches no date";
        spdlog::error("job '{}' is not scheduled: {}", job.binding.config.name,
                      job.binding.problem);
    }
}

// One occurrence of `job` is due: start it, skip it or queue it.
void occurrence(const JobPtr& ptr, std::vector<JobPtr>& to_start) {
    JobState& job = *ptr;
    const JobConfig& c = job.binding.config;
    if (!job.running) {
        job.running = true;
        to_start.push_back(ptr);
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
    for (const JobPtr& job : core_->jobs) log_binding(*job);
}

JobScheduler::~JobScheduler() { stop(); }

void JobScheduler::start() {
    const SchedulerNow now = SchedulerNow::now();
    {
        std::lock_guard lock(core_->mutex);
        for (const JobPtr& job : core_->jobs)
            if (job->binding.bound()) arm(*job, now);
        started_ = true;
    }
    thread_ = std::thread([this] { loop(); });
}

void JobScheduler::update(std::vector<JobBinding> jobs, bool log) {
    const SchedulerNow now = SchedulerNow::now();
    {
        std::unique_lock lock(core_->mutex);
        // No start function of a replaced binding may run once this returns.
        core_->cv.wait(lock, [&] { return !core_->starting; });
        std::vector<JobPtr> next;
        next.reserve(jobs.size());
        for (JobBinding& binding : jobs) {
            auto state = std::make_shared<JobState>(std::move(binding));
            JobPtr old;
            for (const JobPtr& j : core_->jobs)
                if (j->binding.config.name == state->binding.config.name) old = j;
            const bool bound = state->binding.bound();
            if (old) {
                state->counts = old->counts;
                state->runs = old->runs;
                state->last_run = old->last_run;
                state->running = old->running;  // a run in flight ends here (successor)
                state->pending = old->pending && bound;
                // The same schedule keeps its next occurrence; a new one starts from now.
                const bool same = describe(old->binding.config.schedule) ==
                                  describe(state->binding.config.schedule);
                const auto& kept = old->trigger ? old->trigger : old->parked;
                if (same && kept) (bound ? state->trigger : state->parked) = kept;
                old->successor = state;
            }
            if (bound && started_ && !state->trigger) arm(*state, now);
            if (log && (!old || !bound || !old->binding.bound() ||
                        old->binding.problem != state->binding.problem ||
                        describe(old->binding.config.schedule) !=
                            describe(state->binding.config.schedule)))
                log_binding(*state);
            next.push_back(std::move(state));
        }
        core_->jobs = std::move(next);
    }
    core_->cv.notify_all();
}

void JobScheduler::stop() noexcept {
    {
        std::lock_guard lock(core_->mutex);
        if (core_->stopping && !thread_.joinable()) return;
        core_->stopping = true;
        for (const JobPtr& job : core_->jobs) job->pending = job->run_now = false;
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
        std::vector<JobPtr> due;
        for (const JobPtr& job : core.jobs) {
            if (job->run_now || (job->trigger && job->trigger->due(now))) due.push_back(job);
        }
        if (!due.empty()) {
            // Due together: higher priority first; stable, so ties keep config order.
            std::stable_sort(due.begin(), due.end(), [&](const JobPtr& a, const JobPtr& b) {
                return a->binding.config.priority > b->binding.config.priority;
            });
            std::vector<JobPtr> to_start;
            for (const JobPtr& ptr : due) {
                JobState& job = *ptr;
                if (job.trigger && job.trigger->due(now)) {
                    job.trigger->advance(now);
                    occurrence(ptr, to_start);
                }
                if (job.run_now) {  // its queued run; an occurrence due at once merges with it
                    job.run_now = false;
                    if (!job.running) {
                        job.running = true;
                        to_start.push_back(ptr);
                    }
                }
            }
            std::vector<Start> starts;
            starts.reserve(to_start.size());
            for (const JobPtr& job : to_start) {
                ++job->counts.started;
                starts.push_back(Start{job, ++job->runs});
            }
            // Start functions are plugin code: called in order, without the lock.
            core.starting = true;
            lock.unlock();
            for (const Start& s : starts) {
                spdlog::debug("job '{}': starting run #{}", s.job->binding.config.name, s.run);
                start_job_run(core_, s.job, s.run);
            }
            lock.lock();
            core.starting = false;
            core.cv.notify_all();  // a reload may wait for the start functions to be done
            continue;
        }
        std::optional<std::chrono::steady_clock::time_point> wake;
        for (const JobPtr& job : core.jobs) {
            if (!job->trigger || !job->trigger->active()) continue;
            const auto at = job->trigger->wake_at(now);
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
    const SchedulerNow now = SchedulerNow::now();
    std::lock_guard lock(core_->mutex);
    std::vector<JobSummary> out;
    out.reserve(core_->jobs.size());
    for (const JobPtr& ptr : core_->jobs) {
        const JobState& job = *ptr;
        const JobConfig& c = job.binding.config;
        std::optional<std::chrono::system_clock::time_point> next;
        if (job.binding.bound() && job.trigger && job.trigger->active())
            next = job.trigger->next_run(now);
        out.push_back(JobSummary{
            c.name, c.plugin, c.task, describe(c.schedule), c.priority, c.overlap,
            job.binding.bound() && job.trigger && (job.trigger->active() || job.runs > 0),
            job.binding.problem, job.running, job.counts, next, job.last_run});
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
