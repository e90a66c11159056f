// The current_thread flavor: one thread runs every task, the one inside block_on.
//
// Tasks woken on that thread go to an intrusive local FIFO; tasks woken or spawned from other
// threads go to the injection queue and unpark the driver. Every global_queue_interval polls the
// injection queue is served first (fairness); after event_interval polls in a row without a
// park the driver is polled without blocking, so timers and I/O are not starved by a busy queue
// (a park polls the driver anyway, so the count starts again after it, as Tokio's does).
#pragma once

#include <mutex>

#include "runtime/metrics/stall_monitor.hpp"
#include "runtime/scheduler/inject.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::detail {

class CurrentThread final : public SchedulerHandle {
   public:
    explicit CurrentThread(RuntimeConfig config);
    ~CurrentThread() override;

    void schedule(task::Header* t) noexcept override;
    void yield(task::Header* t) noexcept override { schedule(t); }
    void block_until_complete(task::Header* root) override;
    void shutdown(std::chrono::nanoseconds blocking_timeout) override;
    [[nodiscard]] RuntimeMetrics metrics() const override;

   private:
    struct LocalQueue {
        task::Header* head = nullptr;
        task::Header* tail = nullptr;
        std::size_t len = 0;
        void push(task::Header* t) noexcept;
        task::Header* pop() noexcept;
    };
    [[nodiscard]] bool on_this_thread() const noexcept;
    task::Header* next_task() noexcept;
    void park();
    // Sets the thread context for the duration of a block_on or a shutdown.
    class Enter;

    std::mutex core_;  // held by the thread that drives the runtime
    LocalQueue local_;
    Inject inject_;
    std::uint32_t tick_ = 0;
    std::uint32_t polls_since_driver_ = 0;  // task polls since the driver was last polled
    bool is_shutdown_ = false;
    WorkerCounters counters_;
    std::unique_ptr<StallMonitor> monitor_;  // reports long polls (long_poll_threshold > 0)
};

}  // namespace weft::detail
