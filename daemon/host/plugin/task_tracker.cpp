#include "host/plugin/task_tracker.hpp"

#include <algorithm>

namespace weft::host {

void TaskTracker::ended() noexcept {
    // Once the count reaches zero the shutdown may go on and destroy this tracker and the host,
    // while this thread still signals: the signal is kept alive by a reference of our own.
    const std::shared_ptr<IdleSignal> idle = idle_;
    if (live_.fetch_sub(1, std::memory_order_acq_rel) == 1) idle->notify();
}

void TaskTracker::close() {
    std::lock_guard lock(mutex_);
    tasks_closed_ = true;
    jobs_closed_ = true;
}

void TaskTracker::abort_all() {
    std::vector<std::shared_ptr<TaskRecord>> records;
    std::vector<std::shared_ptr<BlockingRecord>> jobs;
    {
        std::lock_guard lock(mutex_);
        tasks_closed_ = true;
        jobs_closed_ = true;
        records.swap(records_);
        jobs.swap(blocking_);
    }
    // abort() may drop an idle task at once, running its destructors (and the plugin's drop
    // function) on this thread: done outside the lock. A blocking job already running cannot be
    // interrupted; the live count keeps its plugin loaded until it ends.
    for (const auto& r : records) r->join.abort();
    for (const auto& j : jobs) j->job.abort();
}

void TaskTracker::abort_tasks() {
    std::vector<std::shared_ptr<TaskRecord>> records;
    {
        std::lock_guard lock(mutex_);
        tasks_closed_ = true;
        records.swap(records_);
    }
    for (const auto& r : records) r->join.abort();
}

bool TaskTracker::wait_idle_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(idle_->mutex);
    return idle_->cv.wait_until(lock, deadline, [&] { return live() == 0; });
}

void TaskTracker::sweep_locked() {
    // A record is finished with when its task completed and no plugin join handle shares it.
    std::erase_if(records_, [](const std::shared_ptr<TaskRecord>& r) {
        return r.use_count() == 1 && r->join.is_finished();
    });
    sweep_at_ = std::max<std::size_t>(64, records_.size() * 2);
}

void TaskTracker::sweep_blocking_locked() {
    std::erase_if(blocking_, [](const std::shared_ptr<BlockingRecord>& r) {
        return r.use_count() == 1 && r->job.is_finished();
    });
    blocking_sweep_at_ = std::max<std::size_t>(64, blocking_.size() * 2);
}

}  // namespace weft::host
