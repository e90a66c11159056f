// BlockingPool: the threads behind spawn_blocking (Tokio's `runtime/blocking/pool`).
//
// Work goes to a FIFO queue. An idle thread, if there is one, is woken for it (one at a time: a
// woken thread that leaves work queued wakes the next, so a burst costs one wake-up per thread it
// needs, not one per call); otherwise the pool grows, up to max_blocking_threads, and keeps growing
// while work waits: each thread that takes work from a non-empty queue with no idle thread starts
// one more (at most kMaxStarting are starting at once), so the pool reaches the size the work needs
// without a burst of submissions creating a thread per call. A thread idle for thread_keep_alive
// retires. Threads are named `weft-blocking-N` (cut to the kernel's 15 characters) and run the
// runtime's on_thread_start / on_thread_stop hooks; closures run with the runtime as the current
// one (Handle::current(), weft::spawn work in them).
//
// Shutdown (Runtime drop or shutdown_timeout, after every task was cancelled): work still queued
// is dropped (its closure destroyed, its handle reports cancelled); running work is waited for up
// to the timeout, then abandoned: its threads are detached and counted (abandoned()). Abandoned
// threads only touch state they share by shared_ptr, never the runtime's freed memory.
//
// While work is queued or running, the runtime's paused clock does not auto-advance; when the
// last of it finishes, the pool unparks the runtime so that auto-advance resumes at once.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "runtime/blocking/blocking_task.hpp"
#include "runtime/config.hpp"

namespace weft::detail {

class SchedulerHandle;

class BlockingPool {
   public:
    // At most this many threads starting at once, while work is waiting.
    static constexpr std::size_t kMaxStarting = 4;

    BlockingPool(const RuntimeConfig& config,
                 std::shared_ptr<std::atomic<std::size_t>> auto_advance_inhibit);
    ~BlockingPool();
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    // Queues `task` (taking the pool's reference). `runtime` is made current on the thread that
    // runs it. After shutdown the task is dropped at once.
    void spawn(BlockingTask* task, SchedulerHandle& runtime) noexcept;

    // Drops queued work, waits up to `timeout` for running work, abandons the rest; returns the
    // number of threads abandoned. Idempotent (later calls return the first result).
    std::size_t shutdown(std::chrono::nanoseconds timeout) noexcept;

    [[nodiscard]] std::size_t num_threads() const noexcept;
    [[nodiscard]] std::size_t num_idle_threads() const noexcept;
    [[nodiscard]] std::size_t queue_depth() const noexcept;
    [[nodiscard]] std::size_t abandoned() const noexcept;

    struct Shared;  // pool.cpp: what the threads share with the pool

   private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace weft::detail
