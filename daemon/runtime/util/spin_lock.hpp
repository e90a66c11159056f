// SpinLock: a test-and-test-and-set lock for critical sections of a few instructions (list
// links, counters), where a futex-based mutex costs more than the work it protects. After a short
// spin it yields the CPU, so a preempted holder is not waited for in a busy loop.
// Satisfies Lockable: use it with std::lock_guard.
#pragma once

#include <atomic>
#include <thread>

namespace weft::detail {

class SpinLock {
   public:
    // The uncontended case is one exchange, inlined; the spinning is out of line.
    void lock() noexcept {
        if (!locked_.exchange(true, std::memory_order_acquire)) [[likely]]
            return;
        lock_contended();
    }
    [[nodiscard]] bool try_lock() noexcept {
        return !locked_.load(std::memory_order_relaxed) &&
               !locked_.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

   private:
    [[gnu::noinline]] void lock_contended() noexcept {
        for (int spins = 0;;) {
            while (locked_.load(std::memory_order_relaxed)) {
                if (++spins < 64) {
                    cpu_relax();
                } else {
                    std::this_thread::yield();
                }
            }
            if (!locked_.exchange(true, std::memory_order_acquire)) return;
        }
    }
    static void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    std::atomic<bool> locked_{false};
};

}  // namespace weft::detail
