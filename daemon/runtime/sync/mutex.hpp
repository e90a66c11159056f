// Mutex<T>: an async mutual-exclusion lock around a value (Tokio's `sync::Mutex`).
//
//     weft::sync::Mutex<std::vector<int>> m;
//     {
//         auto guard = co_await m.lock();      // MutexGuard: unlocks when destroyed
//         guard->push_back(1);                 // may be held across co_await
//     }
//
// Fairness: FIFO: lock() calls are served in the order they started waiting (it is a Semaphore
// with one permit). try_lock() never jumps the line.
// Use it when the lock must be held across an await; for short critical sections without awaits,
// std::mutex is faster (as Tokio's documentation also advises).
//
// Thread-safety: any thread. A MutexGuard must not outlive its Mutex.
// Cancellation safety: lock() is cancellation safe; a dropped lock() loses its place in line (and
// passes the lock on if it had just been handed to it).
// Coop: each poll of lock() spends one budget unit.
#pragma once

#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/batch_semaphore.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync {

// try_lock found the mutex locked.
struct TryLockError {
    [[nodiscard]] static const char* what() noexcept { return "operation would block"; }
};

template <class T>
class Mutex;

template <class T>
class [[nodiscard]] MutexGuard {
   public:
    MutexGuard(MutexGuard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    MutexGuard& operator=(MutexGuard&& o) noexcept {
        if (this != &o) {
            unlock();
            m_ = std::exchange(o.m_, nullptr);
        }
        return *this;
    }
    ~MutexGuard() { unlock(); }

    T& operator*() const noexcept { return m_->value_; }
    T* operator->() const noexcept { return &m_->value_; }
    // Unlocks now (as the destructor does).
    void unlock() noexcept {
        if (auto* m = std::exchange(m_, nullptr)) m->sem_.release(1);
    }

   private:
    friend class Mutex<T>;
    explicit MutexGuard(Mutex<T>* m) noexcept : m_(m) {}
    Mutex<T>* m_;
};

template <class T>
class Mutex {
   public:
    template <class... Args>
    explicit Mutex(Args&&... args) : value_(std::forward<Args>(args)...) {}
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    class [[nodiscard]] Lock : public Pollable<Lock> {
       public:
        bool poll(Context& cx) noexcept {
            if (ready_) return true;
            if (!coop::poll_proceed(cx)) return false;
            if (op_.poll(cx.waker()) == detail::BatchSemaphore::Acquire::Poll::ready) {
                ready_ = true;
                return true;
            }
            coop::refund();
            return false;
        }
        MutexGuard<T> await_resume() noexcept {
            op_.take();
            return MutexGuard<T>(m_);
        }

       private:
        friend class Mutex;
        explicit Lock(Mutex* m) noexcept : m_(m), op_(m->sem_, 1) {}
        Mutex* m_;
        detail::BatchSemaphore::Acquire op_;
        bool ready_ = false;
    };
    [[nodiscard]] Lock lock() noexcept { return Lock(this); }

    [[nodiscard]] Result<MutexGuard<T>, TryLockError> try_lock() noexcept {
        if (sem_.try_acquire(1) != detail::BatchSemaphore::TryResult::ok)
            return err(TryLockError{});
        return MutexGuard<T>(this);
    }
    // Direct access for whoever owns the Mutex exclusively (no other task can lock it).
    [[nodiscard]] T& get_mut() noexcept { return value_; }

   private:
    friend class MutexGuard<T>;
    detail::BatchSemaphore sem_{1};
    T value_;
};

}  // namespace weft::sync
