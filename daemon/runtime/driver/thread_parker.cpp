#include "runtime/driver/thread_parker.hpp"

namespace weft::detail {

void ThreadParker::park(std::optional<std::chrono::nanoseconds> timeout) {
    int expected = kNotified;
    if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return;
    if (timeout && timeout->count() == 0) return;
    std::unique_lock lock(mutex_);
    expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParked, std::memory_order_acquire)) {
        state_.store(kEmpty, std::memory_order_release);  // notified meanwhile
        return;
    }
    if (timeout) {
        condvar_.wait_for(lock, *timeout, [&] { return state_.load() == kNotified; });
        state_.store(kEmpty, std::memory_order_release);
        return;
    }
    condvar_.wait(lock, [&] { return state_.load() == kNotified; });
    state_.store(kEmpty, std::memory_order_release);
}

void ThreadParker::unpark() noexcept {
    if (state_.exchange(kNotified, std::memory_order_release) != kParked) return;
    // Taking the lock orders this notify after the parker's wait began.
    { std::lock_guard lock(mutex_); }
    condvar_.notify_one();
}

}  // namespace weft::detail
