// TaskTracker: the tasks of one plugin, so that its shutdown can wait for them, cancel them, and
// know when the last one's state was dropped (only then may the library be unloaded).
//
// Two counts, two purposes:
//   live     plugin task states not yet dropped. Incremented before a task is queued, decremented
//            after the plugin's drop function returned (plugin_task.hpp). Zero means no code of
//            the plugin can run on the runtime any more.
//   records  the join handles the host keeps to abort tasks. Finished ones are swept lazily.
// When `live` falls to zero the host-wide IdleSignal is notified, so the shutdown sequence
// (main thread) can wait for "any plugin became idle" with one condition variable.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/runtime.hpp"

namespace weft::host {

struct IdleSignal {
    std::mutex mutex;
    std::condition_variable cv;
    void notify() {
        { std::lock_guard lock(mutex); }  // orders the count's change before a waiter's check
        cv.notify_all();
    }
};

// What the host keeps of a spawned plugin task. The join handle's output is the status the
// plugin's poll finished with.
struct TaskRecord {
    JoinHandle<int> join;
};

// What the host keeps of a plugin's blocking job: its handle, to keep it from starting once the
// plugin's tasks are cancelled. The output is the status the job's function returned.
struct BlockingRecord {
    BlockingHandle<int> job;
};

class TaskTracker {
   public:
    explicit TaskTracker(std::shared_ptr<IdleSignal> idle) : idle_(std::move(idle)) {}

    // Spawns `task` on `runtime` unless the tracker is closed. `arm()` runs just before, under
    // the lock, and must count the task as live (started()) and make its state droppable: so a
    // task refused here never drops its state, and one accepted is always seen by abort_all().
    // Returns false when closed (`task` untouched). Throws std::bad_alloc.
    template <class Arm>
    bool spawn(const Handle& runtime, Task<int>& task, Arm&& arm,
               std::shared_ptr<TaskRecord>* record_out) {
        auto record = std::make_shared<TaskRecord>();
        std::lock_guard lock(mutex_);
        if (tasks_closed_) return false;
        if (records_.size() >= sweep_at_) sweep_locked();
        records_.reserve(records_.size() + 1);  // the last thing that may throw
        arm();
        // spawn only queues the task (it never runs inline) and does not throw for a valid Task.
        record->join = runtime.spawn(std::move(task));
        records_.push_back(record);
        if (record_out) *record_out = std::move(record);
        return true;
    }

    // Records a blocking job unless the tracker is closed to jobs (close(), abort_all(); not
    // abort_tasks()); `submit()` runs under the lock and must count the job live and submit it (it
    // may throw: nothing is recorded then).
    template <class Submit>
    bool add_blocking(std::shared_ptr<BlockingRecord> record, Submit&& submit) {
        std::lock_guard lock(mutex_);
        if (jobs_closed_) return false;
        if (blocking_.size() >= blocking_sweep_at_) sweep_blocking_locked();
        blocking_.reserve(blocking_.size() + 1);
        submit();
        blocking_.push_back(std::move(record));
        return true;
    }

    void started() noexcept { live_.fetch_add(1, std::memory_order_relaxed); }
    void ended() noexcept;
    [[nodiscard]] std::size_t live() const noexcept {
        return live_.load(std::memory_order_acquire);
    }

    // No more tasks and no more blocking jobs: later spawns fail.
    void close();
    // close(), then abort every task and every blocking job not started yet.
    void abort_all();
    // No more tasks, then abort every task. Blocking jobs already submitted still run, and so do
    // the ones a task submits in the poll it is in when aborted (until close()): a live reload's
    // drain, where a batch a consumer received and hands to the blocking pool to write in that
    // last poll is written, not lost with a refused submit.
    void abort_tasks();
    // Waits until live() is zero or the deadline passes; true when zero.
    bool wait_idle_until(std::chrono::steady_clock::time_point deadline);

   private:
    void sweep_locked();
    void sweep_blocking_locked();

    std::shared_ptr<IdleSignal> idle_;
    std::atomic<std::size_t> live_{0};
    std::mutex mutex_;
    bool tasks_closed_ = false;
    bool jobs_closed_ = false;
    std::vector<std::shared_ptr<TaskRecord>> records_;
    std::size_t sweep_at_ = 64;
    std::vector<std::shared_ptr<BlockingRecord>> blocking_;
    std::size_t blocking_sweep_at_ = 64;
};

}  // namespace weft::host
