// Handle: a cheap, copyable reference to a runtime, to spawn onto it from any thread, including
// threads outside the runtime. A Handle keeps the runtime's shared state alive, not its workers:
// spawning after the runtime shut down gives a JoinHandle whose task is already cancelled.
#pragma once

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
