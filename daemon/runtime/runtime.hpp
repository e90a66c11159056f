// weft::Runtime: the async runtime. Everything a user of the runtime needs is reachable from
// this header: Runtime, Builder, Handle, Task, spawn, JoinHandle, yield_now.
//
// Dropping a Runtime shuts it down: every task is cancelled (its destructors run), workers are
// joined and nothing leaks. Drop it outside any runtime (or on a spawn_blocking thread): on a
// runtime thread the destructor throws std::logic_error, as Tokio panics. shutdown_timeout() does
// the same but bounds the wait for running blocking work; shutdown_background() does not wait for
// it at all. enter() makes the runtime current on this thread while its guard lives (Handle).
#pragma once

#include <chrono>
#include <memory>

#include "runtime/builder.hpp"
#include "runtime/handle.hpp"
#include "runtime/task/join_handle.hpp"
#include "runtime/task/task.hpp"
#include "runtime/task/unconstrained.hpp"
#include "runtime/task/yield_now.hpp"

namespace weft {

namespace detail {
void block_until_complete(SchedulerHandle& scheduler, task::Header* root);
}

class Runtime {
   public:
    explicit Runtime(const RuntimeConfig& config);  // prefer Builder: it validates
    Runtime(Runtime&&) noexcept;
    Runtime& operator=(Runtime&&) noexcept;
    // Throws std::logic_error when called on a runtime thread (inside any runtime's block_on, or
    // on a worker): shutting down blocks, which a runtime thread must not do, and on this
    // runtime's own thread it could never finish. The runtime is then shut down on a thread of
    // its own.
    ~Runtime() noexcept(false);

    // Runs `task` to completion on this runtime and returns its value; an exception escaping the
    // task is rethrown here. Must not be called from inside a task of this runtime.
    template <class T>
    T block_on(Task<T> task) {
        JoinHandle<T> join = detail::spawn_on(*scheduler_, std::move(task));
        detail::block_until_complete(*scheduler_, join.raw());
        try {
            return join.take_output();
        } catch (const JoinError& e) {
            if (e.is_failed()) std::rethrow_exception(e.exception());
            throw;
        }
    }

    template <class T>
    JoinHandle<T> spawn(Task<T> task) {
        return detail::spawn_on(*scheduler_, std::move(task));
    }

    [[nodiscard]] Handle handle() const { return Handle(scheduler_); }
    // Makes this runtime the calling thread's current one while the guard lives (Handle::enter).
    [[nodiscard]] Handle::EnterGuard enter() const { return handle().enter(); }
    [[nodiscard]] RuntimeMetrics metrics() const;
    [[nodiscard]] const RuntimeConfig& config() const;

    // Shuts down now, waiting at most `timeout` for blocking work that is already running.
    void shutdown_timeout(std::chrono::milliseconds timeout);
    // Shuts down now without waiting for blocking work at all (Tokio's shutdown_background):
    // every task is cancelled, running spawn_blocking work is abandoned to finish on its own.
    // The same rules as the destructor apply (std::logic_error on a runtime thread).
    void shutdown_background();

   private:
    std::shared_ptr<detail::SchedulerHandle> scheduler_;
};

}  // namespace weft
