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
// Mapped guards (Tokio's): a guard narrowed to a part of the value, holding the same lock.
//     auto port = std::move(r).map([](const Config& c) -> const int& { return c.port; });
//     auto peer = std::move(w).try_map([&](Config& c) { return c.find(name); });  // U* or nullptr
// Read guards map to RwLockMappedReadGuard<U> (const access; Tokio's map on a read guard gives a
// read guard of U, which in C++ is its own type since RwLockReadGuard<T> names its RwLock<T>),
// write guards to RwLockMappedWriteGuard<U>. map(f) takes a function from the guarded value to a
// reference into it; try_map(f) one giving a pointer, nullptr meaning "nothing to map to": then
// the original guard comes back, unchanged and still locked, as the Result's error. A write
// guard's downgrade_map(f) downgrades and maps at once, and try_downgrade_map(f) does so only when
// f gives a pointer: on nullptr the write guard comes back still a write guard, not downgraded
// (Tokio's try_downgrade_map). A mapped write guard's downgrade() gives a mapped read guard. The
// reference f returns must point into the guarded value (or outlive the guard). If f throws, the
// exception propagates and the guard is left as it was. Each of these spends the guard it is
// called on (std::move it); calling one on a spent guard throws std::logic_error.
//
// Thread-safety: any thread. Guards must not outlive the RwLock.
// Cancellation safety: read() and write() are cancellation safe; a dropped one loses its place in
// line and gives back any permits already assigned to it (a writer collects them one release at a
// time while it waits at the head).
// Coop: each poll of read()/write() spends one budget unit.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <type_traits>
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
class RwLockReadGuard;

template <class U>
class RwLockMappedWriteGuard;

// A read lock narrowed to a U inside the guarded value (see the file comment).
template <class U>
class [[nodiscard]] RwLockMappedReadGuard {
   public:
    RwLockMappedReadGuard(RwLockMappedReadGuard&& o) noexcept
        : sem_(std::exchange(o.sem_, nullptr)), value_(o.value_) {}
    RwLockMappedReadGuard& operator=(RwLockMappedReadGuard&& o) noexcept {
        if (this != &o) {
            unlock();
            sem_ = std::exchange(o.sem_, nullptr);
            value_ = o.value_;
        }
        return *this;
    }
    ~RwLockMappedReadGuard() { unlock(); }
    const U& operator*() const noexcept { return *value_; }
    const U* operator->() const noexcept { return value_; }
    void unlock() noexcept {
        if (auto* sem = std::exchange(sem_, nullptr)) sem->release(1);
    }

    template <class F>
    [[nodiscard]] auto map(F&& f) {
        using V = std::remove_cvref_t<std::invoke_result_t<F, const U&>>;
        const V& part = std::invoke(std::forward<F>(f), std::as_const(*live()));
        return RwLockMappedReadGuard<V>(std::exchange(sem_, nullptr), &part);
    }
    template <class F>
    [[nodiscard]] auto try_map(F&& f) {
        using V = std::remove_cv_t<std::remove_pointer_t<std::invoke_result_t<F, const U&>>>;
        using R = Result<RwLockMappedReadGuard<V>, RwLockMappedReadGuard<U>>;
        const V* part = std::invoke(std::forward<F>(f), std::as_const(*live()));
        if (!part) return R(err(std::move(*this)));
        return R(RwLockMappedReadGuard<V>(std::exchange(sem_, nullptr), part));
    }

   private:
    template <class>
    friend class RwLockMappedReadGuard;
    template <class>
    friend class RwLockMappedWriteGuard;
    template <class>
    friend class RwLockReadGuard;
    template <class>
    friend class RwLockWriteGuard;
    RwLockMappedReadGuard(detail::BatchSemaphore* sem, const U* value) noexcept
        : sem_(sem), value_(value) {}
    const U* live() const {
        if (!sem_) throw std::logic_error("RwLockMappedReadGuard: the guard was spent");
        return value_;
    }
    detail::BatchSemaphore* sem_;
    const U* value_;
};

// A write lock narrowed to a U inside the guarded value (see the file comment).
template <class U>
class [[nodiscard]] RwLockMappedWriteGuard {
   public:
    RwLockMappedWriteGuard(RwLockMappedWriteGuard&& o) noexcept
        : sem_(std::exchange(o.sem_, nullptr)), value_(o.value_), permits_(o.permits_) {}
    RwLockMappedWriteGuard& operator=(RwLockMappedWriteGuard&& o) noexcept {
        if (this != &o) {
            unlock();
            sem_ = std::exchange(o.sem_, nullptr);
            value_ = o.value_;
            permits_ = o.permits_;
        }
        return *this;
    }
    ~RwLockMappedWriteGuard() { unlock(); }
    U& operator*() const noexcept { return *value_; }
    U* operator->() const noexcept { return value_; }
    void unlock() noexcept {
        if (auto* sem = std::exchange(sem_, nullptr)) sem->release(permits_);
    }

    template <class F>
    [[nodiscard]] auto map(F&& f) {
        using V = std::remove_reference_t<std::invoke_result_t<F, U&>>;
        V& part = std::invoke(std::forward<F>(f), *live());
        return RwLockMappedWriteGuard<V>(std::exchange(sem_, nullptr), &part, permits_);
    }
    template <class F>
    [[nodiscard]] auto try_map(F&& f) {
        using V = std::remove_pointer_t<std::invoke_result_t<F, U&>>;
        using R = Result<RwLockMappedWriteGuard<V>, RwLockMappedWriteGuard<U>>;
        V* part = std::invoke(std::forward<F>(f), *live());
        if (!part) return R(err(std::move(*this)));
        return R(RwLockMappedWriteGuard<V>(std::exchange(sem_, nullptr), part, permits_));
    }
    // Keeps one reader's permit, gives the others back (as RwLockWriteGuard::downgrade).
    [[nodiscard]] RwLockMappedReadGuard<U> downgrade() {
        U* value = live();
        auto* sem = std::exchange(sem_, nullptr);
        sem->release(permits_ - 1);
        return RwLockMappedReadGuard<U>(sem, value);
    }

   private:
    template <class>
    friend class RwLockMappedWriteGuard;
    template <class>
    friend class RwLockWriteGuard;
    RwLockMappedWriteGuard(detail::BatchSemaphore* sem, U* value, std::uint32_t permits) noexcept
        : sem_(sem), value_(value), permits_(permits) {}
    U* live() const {
        if (!sem_) throw std::logic_error("RwLockMappedWriteGuard: the guard was spent");
        return value_;
    }
    detail::BatchSemaphore* sem_;
    U* value_;
    std::uint32_t permits_;  // the lock's max_readers: all of them
};

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

    template <class F>
    [[nodiscard]] auto map(F&& f) {
        using V = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
        const V& part = std::invoke(std::forward<F>(f), std::as_const(live()->value_));
        return RwLockMappedReadGuard<V>(&std::exchange(l_, nullptr)->sem_, &part);
    }
    template <class F>
    [[nodiscard]] auto try_map(F&& f) {
        using V = std::remove_cv_t<std::remove_pointer_t<std::invoke_result_t<F, const T&>>>;
        using R = Result<RwLockMappedReadGuard<V>, RwLockReadGuard<T>>;
        const V* part = std::invoke(std::forward<F>(f), std::as_const(live()->value_));
        if (!part) return R(err(std::move(*this)));
        return R(RwLockMappedReadGuard<V>(&std::exchange(l_, nullptr)->sem_, part));
    }

   private:
    friend class RwLock<T>;
    friend class RwLockWriteGuard<T>;
    explicit RwLockReadGuard(RwLock<T>* l) noexcept : l_(l) {}
    RwLock<T>* live() const {
        if (!l_) throw std::logic_error("RwLockReadGuard: the guard was spent");
        return l_;
    }
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

    template <class F>
    [[nodiscard]] auto map(F&& f) {
        using V = std::remove_reference_t<std::invoke_result_t<F, T&>>;
        RwLock<T>* l = live();
        V& part = std::invoke(std::forward<F>(f), l->value_);
        l_ = nullptr;
        return RwLockMappedWriteGuard<V>(&l->sem_, &part, l->max_readers_);
    }
    template <class F>
    [[nodiscard]] auto try_map(F&& f) {
        using V = std::remove_pointer_t<std::invoke_result_t<F, T&>>;
        using R = Result<RwLockMappedWriteGuard<V>, RwLockWriteGuard<T>>;
        RwLock<T>* l = live();
        V* part = std::invoke(std::forward<F>(f), l->value_);
        if (!part) return R(err(std::move(*this)));
        l_ = nullptr;
        return R(RwLockMappedWriteGuard<V>(&l->sem_, part, l->max_readers_));
    }
    // Downgrades and maps at once: no writer gets in between.
    template <class F>
    [[nodiscard]] auto downgrade_map(F&& f) {
        using V = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
        RwLock<T>* l = live();
        const V& part = std::invoke(std::forward<F>(f), std::as_const(l->value_));
        l_ = nullptr;
        l->sem_.release(l->max_readers_ - 1);
        return RwLockMappedReadGuard<V>(&l->sem_, &part);
    }
    // Downgrades and maps only when f gives a pointer; on nullptr the write guard comes back as
    // the error, still holding the write lock (Tokio's try_downgrade_map).
    template <class F>
    [[nodiscard]] auto try_downgrade_map(F&& f) {
        using V = std::remove_cv_t<std::remove_pointer_t<std::invoke_result_t<F, const T&>>>;
        using R = Result<RwLockMappedReadGuard<V>, RwLockWriteGuard<T>>;
        RwLock<T>* l = live();
        const V* part = std::invoke(std::forward<F>(f), std::as_const(l->value_));
        if (!part) return R(err(std::move(*this)));
        l_ = nullptr;
        l->sem_.release(l->max_readers_ - 1);
        return R(RwLockMappedReadGuard<V>(&l->sem_, part));
    }

   private:
    friend class RwLock<T>;
    explicit RwLockWriteGuard(RwLock<T>* l) noexcept : l_(l) {}
    RwLock<T>* live() const {
        if (!l_) throw std::logic_error("RwLockWriteGuard: the guard was spent");
        return l_;
    }
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
            if (op_.poll(cx.waker()) == detail::BatchSemaphore::Acquire::Poll::ready) {
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
        if (sem_.try_acquire(1) != detail::BatchSemaphore::TryResult::ok)
            return err(TryLockError{});
        return RwLockReadGuard<T>(this);
    }
    [[nodiscard]] Result<RwLockWriteGuard<T>, TryLockError> try_write() noexcept {
        if (sem_.try_acquire(max_readers_) != detail::BatchSemaphore::TryResult::ok)
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
