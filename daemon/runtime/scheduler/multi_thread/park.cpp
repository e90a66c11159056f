#include "runtime/scheduler/multi_thread/park.hpp"

#include "runtime/util/futex.hpp"
#include "runtime/util/stress.hpp"

namespace weft::detail {
namespace {

// A spin-wait hint, not sched_yield(): on a machine with more runnable threads than cores,
// sched_yield hands the core to another process for a whole time slice, and the work whose
// token the worker was waiting for waits that long too. Tokio's park does the same
// (its loom `yield_now` is `spin_loop`).
inline void spin_hint() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

}  // namespace

void Parker::park() {
    // A token that is on its way (an unpark racing this park) is taken without a sleep.
    for (int i = 0; i < 3; ++i) {
        int expected = kNotified;
        if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_seq_cst)) return;
        spin_hint();
    }
    if (shared_.lock.try_lock()) {
        std::lock_guard held(shared_.lock, std::adopt_lock);
        park_driver();
    } else {
        park_futex();
    }
}

void Parker::park_timeout_zero() {
    if (shared_.lock.try_lock()) {
        std::lock_guard held(shared_.lock, std::adopt_lock);
        shared_.driver->park(std::chrono::nanoseconds::zero());
    }
}

void Parker::park_futex() {
    WEFT_STRESS_POINT();
    int expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedFutex, std::memory_order_seq_cst)) {
        state_.store(kEmpty, std::memory_order_seq_cst);  // notified meanwhile
        return;
    }
    for (;;) {
        WEFT_STRESS_POINT();  // an unpark between the CAS and the sleep makes the sleep return
        futex::wait(state_, kParkedFutex);
        int notified = kNotified;
        if (state_.compare_exchange_strong(notified, kEmpty, std::memory_order_seq_cst)) return;
    }
}

void Parker::park_driver() {
    int expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedDriver, std::memory_order_seq_cst)) {
        state_.store(kEmpty, std::memory_order_seq_cst);
        return;
    }
    WEFT_STRESS_POINT();
    shared_.driver->park(std::nullopt);
    state_.exchange(kEmpty, std::memory_order_seq_cst);  // consumes a token from unpark(), if any
}

void Parker::unpark() noexcept {
    WEFT_STRESS_POINT();
    switch (state_.exchange(kNotified, std::memory_order_seq_cst)) {
        case kParkedFutex:
            futex::wake_one(state_);  // the parker sleeps, or its sleep will return at once
            break;
        case kParkedDriver:
            shared_.driver->unpark();
            break;
        default:
            break;
    }
}

}  // namespace weft::detail
