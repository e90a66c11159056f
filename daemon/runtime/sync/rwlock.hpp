// RwLock<T>: an async reader-writer lock (Tokio's `sync::RwLock`).
//
//     weft::sync::RwLock<Config> cfg(initial);
//     { auto r = co_await cfg.read();  use(*r); }          // shared
//     { auto w = co_await cfg.write(); w->level = 2; }      // exclusive
//
// Fairness: FIFO, as Tokio's: a writer waiting in line blocks readers that arrive after it (no
// writer starvation). At most `max_readers` readers hold it at once (default kMaxReads).
// How: a Semaphore with max_readers permits; a reader takes one, a writer takes them all.
//
// A write guard's downgrade() turns it into a read guard atomically (no writer gets in between).
//
// Thread-safety: any thread. Guards must not outlive the RwLock.
// Cancellation safety: read() and write() are cancellation safe; a dropped one loses its place in
// line and gives back any permits already assigned to it (a writer collects them one release at a
// time while it waits at the head).
// Coop: each poll of read()/write() spends one budget unit.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/batch_semaphore.hpp"
#include "runtime/sync/mutex.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync {

template <class T>
class RwLock;
template <class T>
class RwLockWriteGuard;

template <class T>
class [[nodiscard]] RwLockReadGuard {
   public:
    RwLockReadGuard(RwLockReadGuard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
    RwLockReadGuard& operator=(RwLockReadGuard&& o) noexcept {
        if (this != &o) {
            unlock();
            l_ = std::exchange(o.l_, nullptr);
        }
        return *this;
    }
    ~RwLockReadGuard() { unlock(); }
    const T& operator*() const noexcept { return l_->value_; }
    const T* operator->() const noexcept { return &l_->value_; }
    void unlock() noexcept {
        if (auto* l = std::exchange(l_, nullptr)) l->sem_.release(1);
    }

   private:
    friend class RwLock<T>;
    friend class RwLockWriteGuard<T>;
    explicit RwLockReadGuard(RwLock<T>* l) noexcept : l_(l) {}
    RwLock<T>* l_;
};

template <class T>
class [[nodiscard]] RwLockWriteGuard {
   public:
    RwLockWriteGuard(RwLockWriteGuard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
    RwLockWriteGuard& operator=(RwLockWriteGuard&& o) noexcept {
        if (this != &o) {
            unlock();
            l_ = std::exchange(o.l_, nullptr);
        }
        return *this;
    }
    ~RwLockWriteGuard() { unlock(); }
    T& operator*() const noexcept { return l_->value_; }
    T* operator->() const noexcept { return &l_->value_; }
    void unlock() noexcept {
        if (auto* l = std::exchange(l_, nullptr)) l->sem_.release(l->max_readers_);
    }
    // Turns this write lock into a read lock without letting a writer in between (Tokio's
    // downgrade): it keeps one permit and gives back the others, to the waiters in line first
    // (readers behind this writer get in; a waiting writer still waits for this reader). This
    // guard is spent. Throws std::logic_error on a spent guard.
    [[nodiscard]] RwLockReadGuard<T> downgrade() {
        auto* l = std::exchange(l_, nullptr);
        if (!l) throw std::logic_error("RwLockWriteGuard::downgrade on a spent guard");
        l->sem_.release(l->max_readers_ - 1);
        return RwLockReadGuard<T>(l);
    }

   private:
    friend class RwLock<T>;
    explicit RwLockWriteGuard(RwLock<T>* l) noexcept : l_(l) {}
    RwLock<T>* l_;
};

template <class T>
class RwLock {
   public:
    // Tokio's MAX_READS.
    static constexpr std::uint32_t kMaxReads = UINT32_MAX >> 3;

    template <class... Args>
    explicit RwLock(Args&&... args)
        : sem_(kMaxReads), max_readers_(kMaxReads), value_(std::forward<Args>(args)...) {}
    // Throws std::invalid_argument for 0 or more than kMaxReads readers.
    template <class... Args>
    [[nodiscard]] static RwLock with_max_readers(std::uint32_t max_readers, Args&&... args) {
        if (max_readers == 0 || max_readers > kMaxReads)
            throw std::invalid_argument("RwLock::with_max_readers: out of range");
        return RwLock(Tag{}, max_readers, std::forward<Args>(args)...);
    }
    RwLock(const RwLock&) = delete;
    RwLock& operator=(const RwLock&) = delete;

    template <class Guard, std::uint32_t Many>
    class [[nodiscard]] Acquire : public Pollable<Acquire<Guard, Many>> {
       public:
        bool poll(Context& cx) noexcept {
            if (ready_) return true;
            if (!coop::poll_proceed(cx)) return false;
            if (op_.poll(cx.waker()) == detail::BatchSemaphore::Acquire::Poll::Ready) {
                ready_ = true;
                return true;
            }
            coop::refund();
            return false;
        }
        Guard await_resume() noexcept {
            op_.take();
            return Guard(l_);
        }

       private:
        friend class RwLock;
        Acquire(RwLock* l, std::uint32_t n) noexcept : l_(l), op_(l->sem_, n) {}
        RwLock* l_;
        detail::BatchSemaphore::Acquire op_;
        bool ready_ = false;
    };
    using Read = Acquire<RwLockReadGuard<T>, 0>;
    using Write = Acquire<RwLockWriteGuard<T>, 1>;

    [[nodiscard]] Read read() noexcept { return Read(this, 1); }
    [[nodiscard]] Write write() noexcept { return Write(this, max_readers_); }
    [[nodiscard]] Result<RwLockReadGuard<T>, TryLockError> try_read() noexcept {
        if (sem_.try_acquire(1) != detail::BatchSemaphore::TryResult::Ok)
            return err(TryLockError{});
        return RwLockReadGuard<T>(this);
    }
    [[nodiscard]] Result<RwLockWriteGuard<T>, TryLockError> try_write() noexcept {
        if (sem_.try_acquire(max_readers_) != detail::BatchSemaphore::TryResult::Ok)
            return err(TryLockError{});
        return RwLockWriteGuard<T>(this);
    }
    [[nodiscard]] T& get_mut() noexcept { return value_; }

   private:
    friend class RwLockReadGuard<T>;
    friend class RwLockWriteGuard<T>;
    struct Tag {};
    template <class... Args>
    RwLock(Tag, std::uint32_t max_readers, Args&&... args)
        : sem_(max_readers), max_readers_(max_readers), value_(std::forward<Args>(args)...) {}

    detail::BatchSemaphore sem_;
    std::uint32_t max_readers_;
    T value_;
};

}  // namespace weft::sync
