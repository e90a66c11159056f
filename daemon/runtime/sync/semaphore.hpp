// Semaphore: a counting semaphore for async tasks (Tokio's `sync::Semaphore`).
//
//     weft::sync::Semaphore sem(10);
//     auto permit = (co_await sem.acquire()).value();   // SemaphorePermit, released on scope exit
//     auto three = co_await sem.acquire_many(3);        // Result<SemaphorePermit, AcquireError>
//
// Fairness: strictly FIFO. A waiting acquire_many(n) at the head of the line collects permits as
// they are released, and later acquires (even of one permit) wait behind it. try_acquire never
// jumps the line: while anyone waits no permit is free.
// Threads outside the runtime: blocking_acquire() / blocking_acquire_many(n) block the calling
// thread instead of awaiting; on a runtime thread they throw std::logic_error.
// Closing: close() fails every waiting and later acquire with AcquireError (try_acquire gives
// TryAcquireError::Closed); permits held keep working and are still counted when released.
// Permits: a SemaphorePermit gives its permits back when destroyed; forget() keeps them consumed
// (the semaphore's count drops for good). acquire_owned / try_acquire_owned take the semaphore as
// a std::shared_ptr and give an OwnedSemaphorePermit that keeps it alive. A permit can take over
// another's permits (merge: both of the same semaphore, else std::invalid_argument, as Tokio
// panics) or give some of its own to a new permit (split: nullopt when it holds fewer).
// forget_permits(n) removes up to n free permits for good and returns how many it removed (only
// free ones: held permits, and permits assigned to waiters, are not touched).
//
// Thread-safety: every member may be called from any thread. A SemaphorePermit must not outlive
// its Semaphore (an OwnedSemaphorePermit keeps it alive).
//
// Cancellation safety: awaiting an acquire is cancellation safe in the sense Tokio's is: dropping
// the await gives back every permit already assigned to it; the place in line is lost.
//
// Coop: each poll of an acquire spends one budget unit.
//
// Cost: with nobody waiting, acquiring and releasing are one CAS each; waiting and handing permits
// to a waiter take one mutex; a woken acquire completes with one load (batch_semaphore.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/batch_semaphore.hpp"
#include "runtime/sync/detail/blocking_wait.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync {

// The semaphore was closed.
struct AcquireError {
    [[nodiscard]] static const char* what() noexcept { return "semaphore closed"; }
};

struct TryAcquireError {
    enum class Kind { closed, no_permits };
    Kind kind;
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] bool is_no_permits() const noexcept { return kind == Kind::no_permits; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::closed ? "semaphore closed" : "no permits available";
    }
};

class Semaphore;

// Permits borrowed from a Semaphore; given back on destruction unless forgotten.
class [[nodiscard]] SemaphorePermit {
   public:
    SemaphorePermit(SemaphorePermit&& o) noexcept
        : sem_(std::exchange(o.sem_, nullptr)), permits_(std::exchange(o.permits_, 0)) {}
    SemaphorePermit& operator=(SemaphorePermit&& o) noexcept {
        if (this != &o) {
            release();
            sem_ = std::exchange(o.sem_, nullptr);
            permits_ = std::exchange(o.permits_, 0);
        }
        return *this;
    }
    ~SemaphorePermit() { release(); }

    // Keeps the permits consumed: the semaphore's count stays lower.
    void forget() noexcept {
        sem_ = nullptr;
        permits_ = 0;
    }
    [[nodiscard]] std::uint32_t num_permits() const noexcept { return permits_; }

    // Takes over `other`'s permits (other holds none afterwards). Throws std::invalid_argument
    // when the two hold permits of different semaphores (a permit holding none, moved from or
    // forgotten, merges with any), std::overflow_error past 2^32-1 permits; nothing changes then.
    void merge(SemaphorePermit&& other) {
        if (other.permits_ == 0) return;
        if (permits_ != 0 && sem_ != other.sem_)
            throw std::invalid_argument("SemaphorePermit::merge: permits of another semaphore");
        if (permits_ > UINT32_MAX - other.permits_)
            throw std::overflow_error("SemaphorePermit::merge: more than 2^32-1 permits");
        sem_ = std::exchange(other.sem_, nullptr);
        permits_ += std::exchange(other.permits_, 0);
    }
    // Moves `n` of these permits into a new permit of the same semaphore; nullopt (and nothing
    // moved) when this one holds fewer than `n`.
    [[nodiscard]] std::optional<SemaphorePermit> split(std::uint32_t n) noexcept {
        if (n > permits_) return std::nullopt;
        permits_ -= n;
        return SemaphorePermit(sem_, n);
    }

   private:
    friend class Semaphore;
    SemaphorePermit(Semaphore* sem, std::uint32_t n) noexcept : sem_(sem), permits_(n) {}
    inline void release() noexcept;
    Semaphore* sem_;
    std::uint32_t permits_;
};

// Permits of a Semaphore held through a shared_ptr, which the permit keeps alive.
class [[nodiscard]] OwnedSemaphorePermit {
   public:
    OwnedSemaphorePermit(OwnedSemaphorePermit&& o) noexcept
        : sem_(std::move(o.sem_)), permits_(std::exchange(o.permits_, 0)) {}
    OwnedSemaphorePermit& operator=(OwnedSemaphorePermit&& o) noexcept {
        if (this != &o) {
            release();
            sem_ = std::move(o.sem_);
            permits_ = std::exchange(o.permits_, 0);
        }
        return *this;
    }
    ~OwnedSemaphorePermit() { release(); }

    void forget() noexcept {
        sem_.reset();
        permits_ = 0;
    }
    [[nodiscard]] std::uint32_t num_permits() const noexcept { return permits_; }
    [[nodiscard]] const std::shared_ptr<Semaphore>& semaphore() const noexcept { return sem_; }

    // As SemaphorePermit::merge and split.
    void merge(OwnedSemaphorePermit&& other) {
        if (other.permits_ == 0) return;
        if (permits_ != 0 && sem_ != other.sem_)
            throw std::invalid_argument(
                "OwnedSemaphorePermit::merge: permits of another semaphore");
        if (permits_ > UINT32_MAX - other.permits_)
            throw std::overflow_error("OwnedSemaphorePermit::merge: more than 2^32-1 permits");
        sem_ = std::move(other.sem_);
        permits_ += std::exchange(other.permits_, 0);
    }
    [[nodiscard]] std::optional<OwnedSemaphorePermit> split(std::uint32_t n) noexcept {
        if (n > permits_) return std::nullopt;
        permits_ -= n;
        return OwnedSemaphorePermit(sem_, n);
    }

   private:
    friend class Semaphore;
    OwnedSemaphorePermit(std::shared_ptr<Semaphore> sem, std::uint32_t n) noexcept
        : sem_(std::move(sem)), permits_(n) {}
    inline void release() noexcept;
    std::shared_ptr<Semaphore> sem_;
    std::uint32_t permits_;
};

class Semaphore {
   public:
    static constexpr std::size_t kMaxPermits = detail::BatchSemaphore::kMaxPermits;

    // Throws std::invalid_argument above kMaxPermits.
    explicit Semaphore(std::size_t permits) : raw_(check(permits)) {}
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    [[nodiscard]] std::size_t available_permits() const noexcept {
        return raw_.available_permits();
    }
    // Adds permits (waiters first). Throws std::overflow_error past kMaxPermits.
    void add_permits(std::size_t n) {
        if (n > kMaxPermits - raw_.available_permits())
            throw std::overflow_error("Semaphore::add_permits: more than kMaxPermits permits");
        raw_.release(n);
    }
    void close() noexcept { raw_.close(); }
    [[nodiscard]] bool is_closed() const noexcept { return raw_.is_closed(); }
    // Removes up to `n` free permits for good; returns how many were removed (Tokio's
    // forget_permits). Permits held, or already assigned to a waiter, are not touched.
    std::size_t forget_permits(std::size_t n) noexcept { return raw_.forget(n); }

    template <class Permit, class Owner>
    class [[nodiscard]] AcquireFuture : public Pollable<AcquireFuture<Permit, Owner>> {
       public:
        bool poll(Context& cx) noexcept {
            if (done_) return true;
            if (!coop::poll_proceed(cx)) return false;
            switch (op_.poll(cx.waker())) {
                case detail::BatchSemaphore::Acquire::Poll::pending:
                    coop::refund();
                    return false;
                case detail::BatchSemaphore::Acquire::Poll::ready:
                    break;
                case detail::BatchSemaphore::Acquire::Poll::closed:
                    closed_ = true;
                    break;
            }
            done_ = true;
            return true;
        }
        Result<Permit, AcquireError> await_resume() {
            if (closed_) return err(AcquireError{});
            op_.take();
            return Permit(std::move(owner_), static_cast<std::uint32_t>(op_.permits()));
        }

       private:
        friend class Semaphore;
        AcquireFuture(Owner owner, detail::BatchSemaphore& raw, std::uint32_t n) noexcept
            : owner_(std::move(owner)), op_(raw, n) {}
        Owner owner_;
        detail::BatchSemaphore::Acquire op_;
        bool done_ = false;
        bool closed_ = false;
    };
    using Acquire = AcquireFuture<SemaphorePermit, Semaphore*>;
    using AcquireOwned = AcquireFuture<OwnedSemaphorePermit, std::shared_ptr<Semaphore>>;

    [[nodiscard]] Acquire acquire() noexcept { return acquire_many(1); }
    [[nodiscard]] Acquire acquire_many(std::uint32_t n) noexcept { return Acquire(this, raw_, n); }
    // acquire() / acquire_many() for a thread outside the runtime: block it until the permits
    // are granted (FIFO with the tasks waiting) or the semaphore closes. Throw std::logic_error
    // on a runtime thread (a task, block_on, a worker; see sync/detail/blocking_wait.hpp).
    [[nodiscard]] Result<SemaphorePermit, AcquireError> blocking_acquire() {
        return blocking_acquire_many(1);
    }
    [[nodiscard]] Result<SemaphorePermit, AcquireError> blocking_acquire_many(std::uint32_t n) {
        auto op = acquire_many(n);
        return detail::blocking_wait(op, "Semaphore::blocking_acquire");
    }
    [[nodiscard]] Result<SemaphorePermit, TryAcquireError> try_acquire() noexcept {
        return try_acquire_many(1);
    }
    [[nodiscard]] Result<SemaphorePermit, TryAcquireError> try_acquire_many(
        std::uint32_t n) noexcept {
        if (auto e = try_raw(n)) return err(TryAcquireError{*e});
        return SemaphorePermit(this, n);
    }

    // Owned permits: `self` must be non-null; the permit keeps the semaphore alive.
    [[nodiscard]] static AcquireOwned acquire_owned(std::shared_ptr<Semaphore> self) noexcept {
        return acquire_many_owned(std::move(self), 1);
    }
    [[nodiscard]] static AcquireOwned acquire_many_owned(std::shared_ptr<Semaphore> self,
                                                         std::uint32_t n) noexcept {
        detail::BatchSemaphore& raw = self->raw_;
        return AcquireOwned(std::move(self), raw, n);
    }
    [[nodiscard]] static Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_owned(
        std::shared_ptr<Semaphore> self) noexcept {
        return try_acquire_many_owned(std::move(self), 1);
    }
    [[nodiscard]] static Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_many_owned(
        std::shared_ptr<Semaphore> self, std::uint32_t n) noexcept {
        if (auto e = self->try_raw(n)) return err(TryAcquireError{*e});
        return OwnedSemaphorePermit(std::move(self), n);
    }

   private:
    friend class SemaphorePermit;
    friend class OwnedSemaphorePermit;
    static std::size_t check(std::size_t permits) {
        if (permits > kMaxPermits) throw std::invalid_argument("Semaphore: more than kMaxPermits");
        return permits;
    }
    // Nothing on success, else the error kind.
    [[nodiscard]] std::optional<TryAcquireError::Kind> try_raw(std::uint32_t n) noexcept {
        switch (raw_.try_acquire(n)) {
            case detail::BatchSemaphore::TryResult::ok:
                return std::nullopt;
            case detail::BatchSemaphore::TryResult::closed:
                return TryAcquireError::Kind::closed;
            case detail::BatchSemaphore::TryResult::no_permits:
                break;
        }
        return TryAcquireError::Kind::no_permits;
    }

    detail::BatchSemaphore raw_;
};

inline void SemaphorePermit::release() noexcept {
    if (sem_) sem_->raw_.release(std::exchange(permits_, 0));
    sem_ = nullptr;
}
inline void OwnedSemaphorePermit::release() noexcept {
    if (sem_) sem_->raw_.release(std::exchange(permits_, 0));
    sem_.reset();
}

}  // namespace weft::sync
