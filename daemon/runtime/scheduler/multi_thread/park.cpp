#include "runtime/scheduler/multi_thread/park.hpp"

#include <thread>
#include "runtime/util/stress.hpp"

namespace weft::detail {

void Parker::park() {
    for (int i = 0; i < 3; ++i) {
        int expected = kNotified;
        if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_seq_cst)) return;
        std::this_thread::yield();
    }
    if (shared_.lock.try_lock()) {
        std::lock_guard held(shared_.lock, std::adopt_lock);
        park_driver();
    } else {
        park_condvar();
    }
}

void Parker::park_timeout_zero() {
    if (shared_.lock.try_lock()) {
        std::lock_guard held(shared_.lock, std::adopt_lock);
        shared_.driver->park(std::chrono::nanoseconds::zero());
    }
}

void Parker::park_condvar() {
    WEFT_STRESS_POINT();
    std::unique_lock lock(mutex_);
    int expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedCondvar, std::memory_order_seq_cst)) {
        state_.store(kEmpty, std::memory_order_seq_cst);  // notified meanwhile
        return;
    }
    condvar_.wait(lock, [&] {
        int notified = kNotified;
        return state_.compare_exchange_strong(notified, kEmpty, std::memory_order_seq_cst);
    });
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
        case kParkedCondvar: {
            {
                std::lock_guard lock(mutex_);
            }  // the parker is waiting (or about to)
            condvar_.notify_one();
            break;
        }
        case kParkedDriver:
            shared_.driver->unpark();
            break;
        default:
            break;
    }
}

}  // namespace weft::detail
