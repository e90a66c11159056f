// Driver: what a worker blocks in when it has nothing to run. It owns the runtime's libuv loop
// (I/O readiness, signals, the timer wake-up) and its time driver (time/time_handle.hpp), and
// dispatches their events by waking tasks.
//
// One thread at a time runs the loop: the one inside park() (the scheduler's Parker guarantees
// there is at most one). Any thread may call unpark(), which makes a concurrent or the next park()
// return promptly (uv_async_send on an eventfd: a wake before the park is not lost), and
// run_on_loop(), which hands a function to the loop thread (a mutex-protected queue plus
// uv_async_send) and waits for it to have run: this is how handles (signals) are created in the
// loop from any thread.
//
// park(timeout) sleeps in epoll until an event, an unpark, `timeout`, or the next timer of the
// wheel, whichever comes first, then fires the timers that are due. park(0) polls without
// blocking (and skips epoll altogether when no handle but the wake-up exists and nobody woke it).
// With the clock paused and auto-advance allowed, park() does not sleep for a timer: it polls,
// and unless something woke the driver, jumps the clock to the timer (time/pause.hpp).
//
// shutdown() fires every timer, closes the signal listeners and the sockets (net/io_driver.hpp),
// closes every libuv handle and the loop (uv_loop_close must return 0). park() and run_on_loop()
// must not be called afterwards; unpark() may be, and does nothing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "runtime/time/time_handle.hpp"

struct uv_loop_s;

namespace weft::signal::detail {
class Registry;
}
namespace weft::net::detail {
class IoDriver;
}

namespace weft::detail {

class Driver {
   public:
    // Opens the loop; throws std::system_error when libuv cannot (out of file descriptors).
    Driver();
    ~Driver();
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;

    // Blocks until an event, unpark() or the timeout (nullopt: none; zero: poll without
    // blocking), then dispatches the events and timers that are ready.
    void park(std::optional<std::chrono::nanoseconds> timeout);
    void unpark() noexcept;
    // The runtime is shutting down: release every resource (the caller no longer parks).
    void shutdown() noexcept;

    [[nodiscard]] time::detail::TimeHandle& time() noexcept { return time_; }
    [[nodiscard]] const std::shared_ptr<signal::detail::Registry>& signals() const noexcept;
    // Socket readiness (net/io_driver.hpp); sockets share its ownership.
    [[nodiscard]] const std::shared_ptr<net::detail::IoDriver>& io() const noexcept;

    // Runs `op` on the loop thread (this thread when no thread is in the loop) and returns once it
    // ran, rethrowing what it threw. Throws std::logic_error after shutdown(). Must not be called
    // from inside a loop callback.
    void run_on_loop(std::function<void(uv_loop_s&)> op);

   private:
    struct Impl;
    static void unpark_thunk(void* self) noexcept;

    time::detail::TimeHandle time_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace weft::detail
