#include "runtime/scheduler/scheduler_handle.hpp"

#include <stdexcept>

#include "runtime/task/parker_waker.hpp"

namespace weft::detail {

SchedulerHandle::SchedulerHandle(RuntimeConfig config)
    : config_(std::move(config)),
      driver_(std::make_unique<Driver>()),
      blocking_(std::make_unique<BlockingPool>(config_,
                                               driver_->time().clock().auto_advance_inhibitor())) {}

SchedulerHandle::~SchedulerHandle() = default;

void SchedulerHandle::enter_block_in_place() {
    throw std::logic_error(
        "weft::block_in_place called on a current_thread runtime, whose one thread runs every "
        "task (they would all stall): use spawn_blocking, or a multi_thread runtime");
}

void SchedulerHandle::wait_from_outside(task::Header* root) {
    const Waker waker = make_parker_waker();
    const WakerRef ref(waker.data(), waker.vtable());
    while (!task::can_read_output(root, ref)) park_on(waker);
}

void SchedulerHandle::finish_shutdown(std::chrono::nanoseconds blocking_timeout) noexcept {
    blocking_->shutdown(blocking_timeout);
    driver_->shutdown();
}

void SchedulerHandle::fill_common_metrics(RuntimeMetrics& m) const {
    m.alive_tasks = owned_.alive();
    m.spawned_tasks = owned_.spawned_total();
    m.blocking_threads = blocking_->num_threads();
    m.idle_blocking_threads = blocking_->num_idle_threads();
    m.blocking_queue_depth = blocking_->queue_depth();
    m.abandoned_blocking_threads = blocking_->abandoned();
}

}  // namespace weft::detail
