#include "runtime/blocking/spawn_blocking.hpp"

#include <string>

#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::detail {

SchedulerHandle& scheduler_of(const Handle& handle) noexcept { return *handle.scheduler_; }

SchedulerHandle& current_scheduler(const char* what) {
    if (SchedulerHandle* s = tls().scheduler) return *s;
    throw std::logic_error(std::string(what) + " called outside a weft runtime");
}

void submit_blocking(SchedulerHandle& runtime, BlockingTask* task) noexcept {
    runtime.blocking().spawn(task, runtime);
}

}  // namespace weft::detail
