// Test-only awaitables that exercise the scheduler without depending on the sync primitives.
#pragma once

#include <atomic>
#include <mutex>

#include "runtime/coop/budget.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::test {

// Always ready, but spends coop budget like every runtime resource does.
class AlwaysReady : public Pollable<AlwaysReady> {
   public:
    bool poll(Context& cx) noexcept { return coop::poll_proceed(cx); }
    void await_resume() const noexcept {}
};

// A one-waiter flag: set() wakes the task waiting in wait().
class Flag {
   public:
    void set() {
        set_.store(true, std::memory_order_release);
        std::lock_guard lock(mutex_);
        waker_.wake();
    }
    void reset() { set_.store(false, std::memory_order_release); }
    [[nodiscard]] bool is_set() const { return set_.load(std::memory_order_acquire); }

    class Wait : public Pollable<Wait> {
       public:
        explicit Wait(Flag& f) : flag_(f) {}
        bool poll(Context& cx) noexcept {
            if (flag_.is_set()) return true;
            std::lock_guard lock(flag_.mutex_);
            if (flag_.is_set()) return true;
            cx.waker().store_into(flag_.waker_);
            return false;
        }
        void await_resume() const noexcept {}

       private:
        Flag& flag_;
    };
    [[nodiscard]] Wait wait() { return Wait(*this); }

   private:
    std::atomic<bool> set_{false};
    std::mutex mutex_;
    Waker waker_;
};

}  // namespace weft::test
