// weft::Mutex<T>: an async mutex for the plugin's own tasks (Tokio's tokio::sync::Mutex).
//
//   weft::Mutex<std::map<std::string, int>> counts;     // a member of the plugin, say
//   {
//       auto guard = co_await counts.lock();             // waits without blocking the worker
//       ++(*guard)["seen"];
//       co_await out.send(...);                          // may hold it across an await
//   }                                                    // unlocked here
//
// Use it when a critical section awaits; a std::mutex is cheaper (and right) when it does not.
// Fair: tasks get the lock in the order they asked (FIFO), as Tokio's. try_lock() takes it only
// if it is free now and nobody waits.
//
// Ownership: the Mutex owns the value; a guard borrows it and must not outlive the Mutex; the
// lock is released when the guard is destroyed or unlock()ed. A guard may move to another task
// (it is not tied to a thread: tasks move between workers).
// Thread-safety: lock() and try_lock() from any plugin task on any worker; try_lock() also from
// hooks and the plugin's own threads. lock() is cancel-safe: a cancelled lock() took nothing and
// kept no place in line (a lock granted to it in the meantime is passed on). Errors: lock()
// throws Error(WEFT_ERR_NO_MEMORY) if the host cannot give a waker.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/detail/local_semaphore.hpp"
#include "weft/sdk/error.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

template <class T>
class Mutex;

template <class T>
class [[nodiscard]] MutexGuard {
   public:
    MutexGuard(MutexGuard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
    MutexGuard& operator=(MutexGuard&&) = delete;
    ~MutexGuard() { unlock(); }

    T& operator*() const noexcept { return mutex_->value_; }
    T* operator->() const noexcept { return &mutex_->value_; }
    // Unlocks before the guard is destroyed; the guard is empty afterwards.
    void unlock() noexcept {
        if (mutex_) std::exchange(mutex_, nullptr)->semaphore_.release(1);
    }

   private:
    friend class Mutex<T>;
    explicit MutexGuard(Mutex<T>* mutex) noexcept : mutex_(mutex) {}
    Mutex<T>* mutex_;
};

template <class T>
class Mutex {
   public:
    template <class... Args>
    explicit Mutex(Args&&... args) : semaphore_(1), value_(std::forward<Args>(args)...) {}
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    class [[nodiscard]] Lock : public Awaitable<Lock> {
       public:
        explicit Lock(Mutex& mutex) : mutex_(&mutex), acquire_(mutex.semaphore_, 1) {}
        Lock(Lock&& other) noexcept
            : Awaitable<Lock>(other),
              mutex_(other.mutex_),
              acquire_(std::move(other.acquire_)),
              handed_(std::exchange(other.handed_, true)) {}
        Lock& operator=(Lock&&) = delete;
        ~Lock() {  // acquired, but the guard was never taken: unlock
            if (this->status_ == WEFT_OK && !handed_) mutex_->semaphore_.release(1);
        }
        weft_status poll(weft_context* cx) noexcept { return acquire_.poll(cx); }
        MutexGuard<T> await_resume() {
            if (this->status_ != WEFT_OK) throw Error(this->status_, "weft::Mutex::lock");
            handed_ = true;
            return MutexGuard<T>(mutex_);
        }

       private:
        Mutex* mutex_;
        detail::SemaphoreAcquire acquire_;
        bool handed_ = false;
    };
    [[nodiscard]] Lock lock() { return Lock(*this); }

    [[nodiscard]] std::optional<MutexGuard<T>> try_lock() noexcept {
        if (!semaphore_.try_acquire(1)) return std::nullopt;
        return MutexGuard<T>(this);
    }

    // The value, without locking: only when no other task can reach the Mutex (Tokio's get_mut).
    T& get_unchecked() noexcept { return value_; }

   private:
    friend class MutexGuard<T>;
    detail::LocalSemaphore semaphore_;
    T value_;
};

}  // namespace sdk
}  // namespace weft
