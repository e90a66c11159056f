// Parker: how a multi_thread worker sleeps (Tokio's `multi_thread/park.rs`).
//
// The runtime has one Driver (timers, I/O, signals). A worker that parks first tries to take the
// driver and blocks inside it; if another worker holds it, it blocks on its own condition
// variable. unpark() knows which of the two the worker is in and wakes it the right way.
// A token makes unpark-before-park return at once, so no wake-up is lost. Before it sleeps, park()
// looks for a token a few times with a CPU spin hint in between (never sched_yield: on a machine
// with more runnable threads than cores that gives the core away for a whole time slice, and
// I/O-bound workloads park thousands of times a second).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "runtime/driver/driver.hpp"

namespace weft::detail {

// The driver, shared by the workers, taken with try_lock.
struct SharedDriver {
    std::mutex lock;
    Driver* driver = nullptr;
};

class Parker {
   public:
    explicit Parker(SharedDriver& shared) noexcept : shared_(shared) {}

    void park();
    // Polls the driver without blocking, if it is free.
    void park_timeout_zero();
    void unpark() noexcept;

   private:
    void park_condvar();
    void park_driver();

    enum : int { kEmpty = 0, kParkedCondvar = 1, kParkedDriver = 2, kNotified = 3 };
    SharedDriver& shared_;
    std::atomic<int> state_{kEmpty};
    std::mutex mutex_;
    std::condition_variable condvar_;
};

}  // namespace weft::detail
