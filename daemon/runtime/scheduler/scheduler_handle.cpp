#include "runtime/scheduler/scheduler_handle.hpp"

#include <atomic>

#include "runtime/driver/thread_parker.hpp"

namespace weft::detail {
namespace {

// A waker that unparks one thread; reference counted because the task may keep its join waker
// after block_on has returned.
struct ParkerWaker {
    ThreadParker parker;
    std::atomic<std::size_t> refs{1};

    static const void* clone(const void* p) noexcept {
        self(p)->refs.fetch_add(1, std::memory_order_relaxed);
        return p;
    }
    static void wake(const void* p) noexcept {
        wake_by_ref(p);
        drop(p);
    }
    static void wake_by_ref(const void* p) noexcept { self(p)->parker.unpark(); }
    static void drop(const void* p) noexcept {
        if (self(p)->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            std::unique_ptr<ParkerWaker>(self(p)).reset();
    }
    static ParkerWaker* self(const void* p) noexcept {
        return static_cast<ParkerWaker*>(const_cast<void*>(p));
    }
    static constexpr WakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
};

}  // namespace

SchedulerHandle::SchedulerHandle(RuntimeConfig config)
    : config_(std::move(config)),
      driver_(std::make_unique<Driver>()),
      blocking_(std::make_unique<BlockingPool>(config_,
                                               driver_->time().clock().auto_advance_inhibitor())) {}

SchedulerHandle::~SchedulerHandle() = default;

void SchedulerHandle::wait_from_outside(task::Header* root) {
    auto owner = std::make_unique<ParkerWaker>();
    Waker waker(owner.release(), &ParkerWaker::kVTable);
    WakerRef ref(waker.data(), waker.vtable());
    auto* parker = ParkerWaker::self(waker.data());
    while (!task::can_read_output(root, ref)) parker->parker.park();
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
