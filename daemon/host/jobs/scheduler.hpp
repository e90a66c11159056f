// JobScheduler: runs the configured jobs (DESIGN.md "Jobs") on a thread of its own.
//
// At each due time it takes every job due then together and starts them in descending priority,
// ties in config order: it calls each one's start function (plugin.h 6.10) in that order and
// spawns the task it returns as a task of the job's plugin. A job whose previous run is still
// going is not started twice: with overlap "skip" the occurrence is dropped (logged at debug,
// counted as skipped); with "queue" one run is queued and starts as soon as the current one
// ends (a further occurrence meanwhile is dropped and counted as skipped, so a slow job never
// builds a backlog). A failed run (start function error, task error or exception) is logged with
// the job's and the plugin's names; the job keeps its schedule. Schedules: job_trigger.hpp.
//
// Why a thread rather than a runtime task: start functions are plugin code that may be slow or
// misbehave; on its own thread the scheduler never takes a runtime worker from the tasks, and it
// keeps working on a current_thread runtime whatever its one thread does.
//
// stop() ends the thread: no run starts after it returns, and no start function is running.
// Runs in flight continue (they are the plugins' tasks: the shutdown sequence's token, grace
// period and cancellation apply to them) and are still counted when they end.
//
// Thread-safety: start, update and stop on one thread (the coordinator's); summaries and
// log_summaries from any thread.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "host/jobs/job_binding.hpp"
#include "host/jobs/job_summary.hpp"

namespace weft::host {

class SchedulerCore;

class JobScheduler {
   public:
    // Logs each job: scheduled (with its schedule) or the error saying why not.
    explicit JobScheduler(std::vector<JobBinding> jobs);
    ~JobScheduler();
    JobScheduler(const JobScheduler&) = delete;
    JobScheduler& operator=(const JobScheduler&) = delete;

    // Schedules start from now. Once.
    void start();
    // A live reload: the jobs are now `jobs` (config order). A job keeping its name keeps its
    // counts, its run in flight (which still ends before the job runs again) and, if its schedule
    // is the same, its next occurrence; a new or rescheduled job is due from now by its schedule;
    // a job left out starts no run any more (its run in flight finishes). Waits until no start
    // function of the jobs it replaces runs, so that none is called after it returns. `log`:
    // log each job whose schedule or binding changed, as the constructor does.
    void update(std::vector<JobBinding> jobs, bool log);
    // Idempotent.
    void stop() noexcept;

    [[nodiscard]] std::vector<JobSummary> summaries() const;
    // One debug line per job with its counts.
    void log_summaries() const;

   private:
    void loop();

    std::shared_ptr<SchedulerCore> core_;
    bool started_ = false;  // guarded by core_->mutex
    std::thread thread_;
};

}  // namespace weft::host
