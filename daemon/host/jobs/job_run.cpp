#include "host/jobs/job_run.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <string>

#include "host/log/log_context.hpp"

namespace weft::host {
namespace {

using Clock = std::chrono::steady_clock;

class JobRun {
   public:
    JobRun(std::shared_ptr<SchedulerCore> core, std::shared_ptr<JobState> job, std::uint64_t run,
           const weft_job_run& task) noexcept
        : core_(std::move(core)),
          job_(std::move(job)),
          run_(run),
          poll_(task.poll),
          state_(task.state),
          drop_(task.drop) {}
    JobRun(const JobRun&) = delete;
    JobRun& operator=(const JobRun&) = delete;
    ~JobRun() {
        drop_plugin_state();
        const char* why =
            outcome_ == RunOutcome::cancelled ? cancel_reason_ : weft_status_str(status_);
        core_->run_ended(*job_, run_, outcome_, why, Clock::now() - started_);
    }

    // The run never became a task: the state is dropped and the run reported by the destructor.
    void refused(const char* why) noexcept { cancel_reason_ = why; }

    static weft_status c_poll(void* self, weft_context* cx) {
        auto& r = *static_cast<JobRun*>(self);
        const LogScope log_scope(r.job_->binding.config.name.c_str());
        // Should the plugin's poll throw (a C++ plugin breaking the ABI), the task slot catches
        // it and this stays a failure.
        r.outcome_ = RunOutcome::failed;
        r.status_ = WEFT_ERR_TASK_FAILED;
        const JobBinding& job = r.job_->binding;
        const CrashScope crash_scope(job.target->crash_identity(), "job",
                                     reinterpret_cast<const void*>(r.poll_),
                                     job.config.name.c_str());
        const weft_status status = r.poll_(r.state_, cx);
        if (status == WEFT_PENDING) {
            r.outcome_ = RunOutcome::cancelled;
            return status;
        }
        r.status_ = status;
        r.outcome_ = status == WEFT_OK ? RunOutcome::succeeded : RunOutcome::failed;
        return status;
    }
    static void c_drop(void* self) noexcept {
        std::unique_ptr<JobRun> owned(static_cast<JobRun*>(self));
    }

   private:
    void drop_plugin_state() noexcept {
        if (!drop_) return;
        try {
            drop_(state_);
        } catch (const std::exception& e) {
            spdlog::error("job '{}': the drop function of run #{} threw an exception: {}",
                          job_->binding.config.name, run_, e.what());
        } catch (...) {
            spdlog::error("job '{}': the drop function of run #{} threw an exception",
                          job_->binding.config.name, run_);
        }
    }

    std::shared_ptr<SchedulerCore> core_;
    std::shared_ptr<JobState> job_;  // its own, even if a reload replaced the job's since
    std::uint64_t run_;
    weft_task_poll_fn poll_;
    void* state_;
    weft_task_drop_fn drop_;
    Clock::time_point started_ = Clock::now();
    RunOutcome outcome_ = RunOutcome::cancelled;  // until a final poll says otherwise
    weft_status status_ = WEFT_ERR_CANCELLED;
    const char* cancel_reason_ = "its task was dropped before it finished (shutdown)";
};

void drop_quietly(weft_task_drop_fn drop, void* state) noexcept {
    if (!drop) return;
    try {
        drop(state);
    } catch (...) {  // a C++ plugin breaking the ABI; its task never existed, nothing to report
    }
}

// Calls the plugin's start function; an exception (a C++ plugin breaking the ABI) is a failure.
weft_status call_start(const JobFunction& fn, weft_job_run& run, std::string& why) noexcept {
    try {
        const weft_status status = fn.start(fn.user_data, &run);
        if (status == WEFT_OK && run.poll == nullptr) {
            drop_quietly(run.drop, run.state);  // on WEFT_OK the state is the host's to drop
            why = "its start function returned no poll function";
            return WEFT_ERR_INVALID_ARGUMENT;
        }
        if (status != WEFT_OK)
            why = std::string("its start function returned \"") + weft_status_str(status) + "\"";
        return status;
    } catch (const std::exception& e) {
        why = std::string("its start function threw an exception: ") + e.what();
    } catch (...) {
        why = "its start function threw an exception";
    }
    return WEFT_ERR_TASK_FAILED;
}

}  // namespace

void start_job_run(const std::shared_ptr<SchedulerCore>& core, const std::shared_ptr<JobState>& job,
                   std::uint64_t run) noexcept {
    const JobBinding& binding = job->binding;
    const auto began = Clock::now();
    bool stopping = false;
    {
        std::lock_guard lock(core->mutex);
        stopping = core->stopping;
    }
    // stop() may have come while earlier runs of the same batch were starting.
    if (stopping || binding.target->shutting_down()) {
        core->run_ended(*job, run, RunOutcome::cancelled, "the shutdown began before it started",
                        Clock::duration::zero());
        return;
    }
    weft_job_run task{};
    task.size = sizeof task;
    task.job_name = binding.config.name.c_str();
    task.run = run;
    std::string why;
    if (call_start(binding.function, task, why) != WEFT_OK) {
        core->run_ended(*job, run, RunOutcome::failed, why, Clock::now() - began);
        return;
    }
    std::unique_ptr<JobRun> job_run;
    try {
        job_run = std::make_unique<JobRun>(core, job, run, task);
    } catch (...) {
        drop_quietly(task.drop, task.state);
        core->run_ended(*job, run, RunOutcome::failed, "out of memory", Clock::now() - began);
        return;
    }
    const weft_status status =
        binding.target->spawn(&JobRun::c_poll, job_run.get(), &JobRun::c_drop, binding.config.name);
    if (status == WEFT_OK) {
        (void)job_run.release();  // the plugin task owns it now; c_drop deletes it
        return;
    }
    job_run->refused(status == WEFT_ERR_SHUTDOWN ? "the plugin accepts no more tasks (shutdown)"
                                                 : "out of memory");
}

}  // namespace weft::host
