// SchedulerHandle: the part of a runtime that tasks, handles and wakers share. Each flavor
// (current_thread, multi_thread) implements it; the public Runtime and Handle forward to it.
#pragma once

#include <chrono>
#include <memory>

#include "runtime/blocking/pool.hpp"
#include "runtime/config.hpp"
#include "runtime/driver/driver.hpp"
#include "runtime/metrics/metrics.hpp"
#include "runtime/scheduler/owned_tasks.hpp"
#include "runtime/task/harness.hpp"

namespace weft::detail {

class SchedulerHandle : public task::Schedule,
                        public std::enable_shared_from_this<SchedulerHandle> {
   public:
    explicit SchedulerHandle(RuntimeConfig config);
    virtual ~SchedulerHandle();
    SchedulerHandle(const SchedulerHandle&) = delete;
    SchedulerHandle& operator=(const SchedulerHandle&) = delete;

    // Takes a task bound to this scheduler (State::INITIAL); the JoinHandle keeps its ref.
    void spawn(task::Header* t) noexcept {
        if (!owned_.bind(t)) {  // shutting down: the task is cancelled before it ever runs
            task::shutdown(t);
            task::drop_notification(t);
            return;
        }
        schedule(t);
    }
    [[nodiscard]] bool release(task::Header* t) noexcept final { return owned_.remove(t); }

    // Runs the runtime until `root` completes (Runtime::block_on).
    virtual void block_until_complete(task::Header* root) = 0;
    // Stops the workers, cancels every task, then closes the driver. Idempotent.
    virtual void shutdown(std::chrono::nanoseconds blocking_timeout) = 0;
    [[nodiscard]] virtual RuntimeMetrics metrics() const = 0;
    // block_in_place on this thread, which owns a worker of this scheduler (tls().worker): hand
    // the worker to another thread (multi_thread), or throw std::logic_error (the default: a
    // current_thread runtime cannot; see blocking/block_in_place.cpp).
    virtual void enter_block_in_place();

    [[nodiscard]] const RuntimeConfig& config() const noexcept { return config_; }
    [[nodiscard]] Driver& driver() noexcept { return *driver_; }
    [[nodiscard]] BlockingPool& blocking() noexcept { return *blocking_; }

   protected:
    // The last step of every flavor's shutdown, once all tasks are cancelled and no worker runs:
    // waits for running blocking work up to `blocking_timeout`, then closes the driver.
    void finish_shutdown(std::chrono::nanoseconds blocking_timeout) noexcept;
    // Parks the calling (non-worker) thread until `root` completes.
    static void wait_from_outside(task::Header* root);
    void fill_common_metrics(RuntimeMetrics& m) const;

    RuntimeConfig config_;
    OwnedTasks owned_;
    std::unique_ptr<Driver> driver_;
    std::unique_ptr<BlockingPool> blocking_;  // after driver_: destroyed first
};

}  // namespace weft::detail
