// Handle: a cheap, copyable reference to a runtime, to spawn onto it from any thread, including
// threads outside the runtime. A Handle keeps the runtime's shared state alive, not its workers:
// spawning after the runtime shut down gives a JoinHandle whose task is already cancelled.
//
// enter() makes the runtime the current one of the calling thread while the EnterGuard lives
// (Tokio's Handle::enter): weft::spawn, Handle::current(), time::sleep and the other calls that
// need "the current runtime" work on a thread outside it. Guards nest; each restores what was
// current before it, so they must be destroyed in reverse order, on the thread that made them.
//
// block_on(task) runs a task to completion from a thread outside the runtime and gives its value
// (an exception escaping the task is rethrown), as Runtime::block_on, through a Handle. On a
// multi_thread runtime the task runs on the workers while the caller parks. On a current_thread
// runtime the caller drives the runtime itself; if another thread is in block_on at that moment,
// that thread runs the task and the caller waits until it leaves block_on (Tokio hands the
// driver over instead). Throws std::logic_error on a runtime thread (a task, a worker, inside
// block_on), as Tokio panics.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "runtime/context/thread_context.hpp"
#include "runtime/metrics/metrics.hpp"
#include "runtime/task/join_handle.hpp"
#include "runtime/task/task.hpp"

namespace weft {
class Handle;
namespace detail {
class SchedulerHandle;
// The runtime behind a Handle, for runtime parts that extend Handle with free functions
// (weft::spawn_blocking_on).
[[nodiscard]] SchedulerHandle& scheduler_of(const Handle& handle) noexcept;
void spawn_bound(SchedulerHandle& scheduler, task::Header* t) noexcept;
[[nodiscard]] task::Header* bind_to(SchedulerHandle& scheduler, std::coroutine_handle<> h) noexcept;
void block_until_complete(SchedulerHandle& scheduler, task::Header* root);
// Throws std::logic_error naming `call` on a runtime thread (a task, a worker, inside block_on).
void check_may_block_on(const char* call);

template <class T>
JoinHandle<T> spawn_on(SchedulerHandle& scheduler, Task<T> task) {
    auto h = task.release();
    if (!h) throw std::invalid_argument("weft::spawn: the Task is empty (moved from?)");
    task::Header* t = bind_to(scheduler, h);
    JoinHandle<T> join(t);
    spawn_bound(scheduler, t);
    return join;
}
}  // namespace detail

class Handle {
   public:
    explicit Handle(std::shared_ptr<detail::SchedulerHandle> scheduler) noexcept
        : scheduler_(std::move(scheduler)) {}

    // The runtime this thread is running a task of. Throws std::logic_error outside a runtime.
    [[nodiscard]] static Handle current();
    [[nodiscard]] static std::optional<Handle> try_current();

    template <class T>
    JoinHandle<T> spawn(Task<T> task) const {
        return detail::spawn_on(*scheduler_, std::move(task));
    }
    [[nodiscard]] RuntimeMetrics metrics() const;

    // While it lives, this thread's current runtime is the Handle's (see above).
    class [[nodiscard]] EnterGuard {
       public:
        EnterGuard(const EnterGuard&) = delete;
        EnterGuard& operator=(const EnterGuard&) = delete;
        ~EnterGuard();

       private:
        friend class Handle;
        explicit EnterGuard(std::shared_ptr<detail::SchedulerHandle> scheduler) noexcept;
        std::shared_ptr<detail::SchedulerHandle> scheduler_;  // kept alive while current
        detail::SchedulerHandle* previous_;
    };
    [[nodiscard]] EnterGuard enter() const noexcept { return EnterGuard(scheduler_); }

    template <class T>
    T block_on(Task<T> task) const {
        detail::check_may_block_on("weft::Handle::block_on");
        JoinHandle<T> join = detail::spawn_on(*scheduler_, std::move(task));
        detail::block_until_complete(*scheduler_, join.raw());
        try {
            return join.take_output();
        } catch (const JoinError& e) {
            if (e.is_failed()) std::rethrow_exception(e.exception());
            throw;
        }
    }

   private:
    friend detail::SchedulerHandle& detail::scheduler_of(const Handle&) noexcept;
    std::shared_ptr<detail::SchedulerHandle> scheduler_;
};

// Spawns onto the runtime of the current thread. Throws std::logic_error outside a runtime.
template <class T>
JoinHandle<T> spawn(Task<T> task) {
    detail::SchedulerHandle* s = detail::tls().scheduler;
    if (!s) throw std::logic_error("weft::spawn called outside a weft runtime");
    return detail::spawn_on(*s, std::move(task));
}

}  // namespace weft
