// Worker and MultiThread: the state of one worker thread and the scheduler they share.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/metrics/stall_monitor.hpp"
#include "runtime/scheduler/inject.hpp"
#include "runtime/scheduler/multi_thread/idle.hpp"
#include "runtime/scheduler/multi_thread/park.hpp"
#include "runtime/scheduler/multi_thread/queue.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::detail {

class MultiThread;

struct Worker {
    Worker(MultiThread& shared, std::size_t index, SharedDriver& driver, std::uint32_t seed)
        : shared(shared), index(index), parker(driver), rng(seed | 1) {}

    MultiThread& shared;
    const std::size_t index;
    LocalQueue<> run_queue;  // stealable by every worker
    // What the full run_queue shed (LocalQueue::push_back). Only the owner pushes; the owner pops
    // and other workers take from it when they have nothing else (worker.cpp).
    Inject overflow;
    Parker parker;            // unparked by any thread
    WorkerCounters counters;  // read by metrics()
    // The task the running task woke last, run next. The worker's own thread puts and takes it;
    // the stall monitor takes it too when the worker is stuck in one poll (MultiThread::rescue),
    // hence an atomic exchange on every access (acq_rel: whoever takes the task sees it queued).
    std::atomic<task::Header*> lifo_slot{nullptr};

    // Only the worker's own thread touches the rest.
    std::uint32_t tick = 0;
    bool is_searching = false;
    bool is_parked = false;  // inside park(): wakes go to the queues without notifying
    std::uint32_t rng;

    void run();
    // Tasks in the local queue or the overflow list (exact for the owner only).
    [[nodiscard]] bool has_local_work() const noexcept {
        return run_queue.has_tasks() || !overflow.is_empty();
    }
    // After a park (or the zero-timeout park of maintenance): whether this worker holds more than
    // the one task it runs next, so that a parked sibling would find something to steal. Waking
    // one for a single task (a LIFO task pushed back after its polls, say) only makes it park
    // again: notify_one_many multi_thread did that about 8,000 times a run. Tokio's
    // should_notify_others.
    [[nodiscard]] bool should_notify_others() const noexcept {
        if (is_searching) return false;
        const std::size_t tasks =
            (lifo_slot.load(std::memory_order_relaxed) ? 1 : 0) + run_queue.len();
        return tasks > 1 || !overflow.is_empty();
    }

   private:
    task::Header* next_task();
    task::Header* steal_work();
    void run_task(task::Header* t);
    void poll(task::Header* t);
    void maintenance();
    void park();
    void park_timeout_zero();
    bool transition_to_parked();
    bool transition_from_parked();
    void transition_from_searching();
    std::uint32_t next_random() noexcept;
};

class MultiThread final : public SchedulerHandle {
   public:
    explicit MultiThread(RuntimeConfig config);
    ~MultiThread() override;
    void start();

    void schedule(task::Header* t) noexcept override { schedule_task(t, false); }
    void yield(task::Header* t) noexcept override { schedule_task(t, true); }
    void block_until_complete(task::Header* root) override;
    void shutdown(std::chrono::nanoseconds blocking_timeout) override;
    [[nodiscard]] RuntimeMetrics metrics() const override;
    // Hands this thread's worker to a new thread (blocking/block_in_place.cpp, steps 1-2).
    void enter_block_in_place() override;

   private:
    // Called by the stall monitor while worker `index` is stuck in one poll: its LIFO task goes
    // to the global queue and a parked worker wakes (it takes the driver if it is free).
    void rescue(std::size_t index, bool first) noexcept;
    friend struct Worker;
    // A thread running a Worker's loop; `done` is set as its last act (a hand-off joins the
    // finished ones).
    struct WorkerThread {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    void start_thread_locked(Worker* w);
    void schedule_task(task::Header* t, bool is_yield) noexcept;
    void schedule_local(Worker& w, task::Header* t, bool is_yield) noexcept;
    void notify_parked() noexcept;
    void notify_if_work_pending() noexcept;
    [[nodiscard]] bool is_shutdown() const noexcept {
        return shutdown_.load(std::memory_order_acquire);
    }

    SharedDriver driver_slot_;
    Inject inject_;
    Idle idle_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::mutex threads_mutex_;  // guards threads_ (a hand-off adds one while the workers run)
    std::vector<WorkerThread> threads_;
    std::atomic<bool> shutdown_{false};
    std::mutex shutdown_mutex_;
    bool shut_down_ = false;
    std::unique_ptr<StallMonitor> monitor_;  // with poll timing on and 2 workers or more
};

}  // namespace weft::detail
