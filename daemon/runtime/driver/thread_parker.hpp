// ThreadParker: blocks one thread until unpark(), with no lost wake-up: an unpark() before the
// park() makes that park() return at once (a stored token, as std::thread::park in Rust).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace weft::detail {

class ThreadParker {
   public:
    void park(std::optional<std::chrono::nanoseconds> timeout = std::nullopt);
    void unpark() noexcept;

   private:
    enum : int { kEmpty = 0, kParked = 1, kNotified = 2 };
    std::atomic<int> state_{kEmpty};
    std::mutex mutex_;
    std::condition_variable condvar_;
};

}  // namespace weft::detail
