// weft::RwLock<T>: an async reader-writer lock for the plugin's own tasks (Tokio's
// tokio::sync::RwLock).
//
//   weft::RwLock<Config> cfg;
//   { auto r = co_await cfg.read(); use(r->limits); }      // many readers at once
//   { auto w = co_await cfg.write(); w->limits = next; }   // one writer, no reader
//   auto r = std::move(w).downgrade();                     // keep reading what was written
//
// Fair (FIFO, as Tokio's): a writer that waits is served before readers that came after it, so
// readers cannot starve it. try_read()/try_write() take the lock only if that is possible now
// and nobody waits. A write guard's downgrade() turns it into a read guard without letting a
// writer in between (readers waiting behind it get in at once).
//
// Ownership: the RwLock owns the value; guards borrow it and must not outlive the lock.
// Thread-safety: read() and write() from any plugin task on any worker; the try_ forms also from
// hooks and the plugin's own threads. read() and write() are cancel-safe (a cancelled one took
// nothing and kept no place in line). Errors: read()/write() throw Error(WEFT_ERR_NO_MEMORY) if
// the host cannot give a waker.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/detail/local_semaphore.hpp"
#include "weft/sdk/error.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

template <class T>
class RwLock;

template <class T>
class [[nodiscard]] RwLockReadGuard {
   public:
    RwLockReadGuard(RwLockReadGuard&& other) noexcept
        : lock_(std::exchange(other.lock_, nullptr)) {}
    RwLockReadGuard& operator=(RwLockReadGuard&&) = delete;
    ~RwLockReadGuard() { unlock(); }
    const T& operator*() const noexcept { return lock_->value_; }
    const T* operator->() const noexcept { return &lock_->value_; }
    void unlock() noexcept {
        if (lock_) std::exchange(lock_, nullptr)->semaphore_.release(1);
    }

   private:
    friend class RwLock<T>;
    template <class>
    friend class RwLockWriteGuard;
    explicit RwLockReadGuard(RwLock<T>* lock) noexcept : lock_(lock) {}
    RwLock<T>* lock_;
};

template <class T>
class [[nodiscard]] RwLockWriteGuard {
   public:
    RwLockWriteGuard(RwLockWriteGuard&& other) noexcept
        : lock_(std::exchange(other.lock_, nullptr)) {}
    RwLockWriteGuard& operator=(RwLockWriteGuard&&) = delete;
    ~RwLockWriteGuard() { unlock(); }
    T& operator*() const noexcept { return lock_->value_; }
    T* operator->() const noexcept { return &lock_->value_; }
    void unlock() noexcept {
        if (lock_) std::exchange(lock_, nullptr)->semaphore_.release(RwLock<T>::kMaxReaders);
    }
    // Keeps one reader's permit and gives the rest back: no writer can get in between.
    RwLockReadGuard<T> downgrade() && noexcept {
        RwLock<T>* lock = std::exchange(lock_, nullptr);
        lock->semaphore_.release(RwLock<T>::kMaxReaders - 1);
        return RwLockReadGuard<T>(lock);
    }

   private:
    friend class RwLock<T>;
    explicit RwLockWriteGuard(RwLock<T>* lock) noexcept : lock_(lock) {}
    RwLock<T>* lock_;
};

template <class T>
class RwLock {
   public:
    // A writer takes every permit; a reader one (Tokio's MAX_READS).
    static constexpr std::uint64_t kMaxReaders = std::uint64_t{1} << 29;

    template <class... Args>
    explicit RwLock(Args&&... args)
        : semaphore_(kMaxReaders), value_(std::forward<Args>(args)...) {}
    RwLock(const RwLock&) = delete;
    RwLock& operator=(const RwLock&) = delete;

    template <class Guard, std::uint64_t Permits>
    class [[nodiscard]] Acquire : public Awaitable<Acquire<Guard, Permits>> {
       public:
        explicit Acquire(RwLock& lock) : lock_(&lock), acquire_(lock.semaphore_, Permits) {}
        Acquire(Acquire&& other) noexcept
            : Awaitable<Acquire>(other),
              lock_(other.lock_),
              acquire_(std::move(other.acquire_)),
              handed_(std::exchange(other.handed_, true)) {}
        Acquire& operator=(Acquire&&) = delete;
        ~Acquire() {  // acquired, but the guard was never taken: give the permits back
            if (this->status_ == WEFT_OK && !handed_) lock_->semaphore_.release(Permits);
        }
        weft_status poll(weft_context* cx) noexcept { return acquire_.poll(cx); }
        Guard await_resume() {
            if (this->status_ != WEFT_OK) throw Error(this->status_, "weft::RwLock");
            handed_ = true;
            return Guard(lock_);
        }

       private:
        RwLock* lock_;
        detail::SemaphoreAcquire acquire_;
        bool handed_ = false;
    };
    using Read = Acquire<RwLockReadGuard<T>, 1>;
    using Write = Acquire<RwLockWriteGuard<T>, kMaxReaders>;

    [[nodiscard]] Read read() { return Read(*this); }
    [[nodiscard]] Write write() { return Write(*this); }
    [[nodiscard]] std::optional<RwLockReadGuard<T>> try_read() noexcept {
        if (!semaphore_.try_acquire(1)) return std::nullopt;
        return RwLockReadGuard<T>(this);
    }
    [[nodiscard]] std::optional<RwLockWriteGuard<T>> try_write() noexcept {
        if (!semaphore_.try_acquire(kMaxReaders)) return std::nullopt;
        return RwLockWriteGuard<T>(this);
    }

   private:
    friend class RwLockReadGuard<T>;
    friend class RwLockWriteGuard<T>;
    template <class, std::uint64_t>
    friend class Acquire;
    detail::LocalSemaphore semaphore_;
    T value_;
};

}  // namespace sdk
}  // namespace weft
