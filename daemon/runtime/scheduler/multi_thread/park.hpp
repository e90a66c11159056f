// Parker: how a multi_thread worker sleeps (Tokio's `multi_thread/park.rs`).
//
// The runtime has one Driver (timers, I/O, signals). A worker that parks first tries to take the
// driver and blocks inside it; if another worker holds it, it sleeps on its own state word (a
// futex). unpark() knows which of the two the worker is in and wakes it the right way.
// A token makes unpark-before-park return at once, so no wake-up is lost:
//   state   kEmpty -> kParkedFutex | kParkedDriver (the parker, by CAS) -> kNotified (unpark(),
//           by exchange) -> kEmpty (the parker takes the token, by CAS)
//   A parker on its word sleeps only while the word still says kParkedFutex (the kernel checks
//   and sleeps as one step), and unpark() changes the word before it wakes it: an unpark that
//   comes first turns the sleep into an immediate return. One futex wait and one wake per
//   park/unpark pair: a mutex and condition variable here cost glibc twice the futex calls
//   (tcp_echo multi_thread: 4,067 wakes for 2,033 waits). Before it sleeps, park()
// looks for a token a few times with a CPU spin hint in between (never sched_yield: on a machine
// with more runnable threads than cores that gives the core away for a whole time slice, and
// I/O-bound workloads park thousands of times a second).
#pragma once

#include <atomic>
#include <chrono>
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
    void park_futex();
    void park_driver();

    enum : int { kEmpty = 0, kParkedFutex = 1, kParkedDriver = 2, kNotified = 3 };
    SharedDriver& shared_;
    std::atomic<int> state_{kEmpty};
};

}  // namespace weft::detail
