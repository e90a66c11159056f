// weft::pool::Pool<T>: a bounded, FIFO-fair async pool of reusable resources (connections,
// clients, handles), in the manner of bb8 and deadpool.
//
//   auto pool = Pool<Conn>::create(config, {.create = open_conn, .recycle = ping});
//   auto conn = co_await pool->acquire();        // Result<Pooled<Conn>, PoolError>
//   if (!conn) { log(conn.error().what()); }    // "pool 'db' exhausted: 10 of 10 in use, ..."
//   (*conn)->query(...);                         // given back when `conn` goes out of scope,
//   conn->mark_broken();                         // ... or closed instead, if marked broken
//
// The Manager says how to create a resource (async; may fail with a message), optionally how to
// check one on checkout (async `recycle`: false closes it as broken and the next one is tried),
// how to check one when it is given back (sync `is_broken`), and how to close one (async
// `destroy`, spawned). Limits and timeouts are the PoolConfig's.
//
// THE WAIT/WAKE PROTOCOL
//
// State: a FIFO semaphore `sem_` of max_size permits; under the spin lock `lock_`, the idle
// resources `idle_` (a stack: the most recently used is handed out first, so surplus ones age out
// through idle_timeout) and `size_`, the resources open or being created.
//
//  1. A slot is a permit. acquire() first takes a permit from `sem_`. The semaphore is strictly
//     FIFO and hands a released permit straight to its oldest waiter, so waiters are served first
//     come, first served, and a newcomer never overtakes a waiter. The first poll takes a free
//     permit with try_acquire (no free permit while anyone waits, so it overtakes nobody) and
//     joins the line only when there is none.
//  2. A permit holder takes an idle resource (dropping the expired ones it finds), or, when none
//     is idle, reserves a creation (`size_ += 1`) and creates one, all in one critical section of
//     `lock_`. Invariant: size_ <= max_size, and every permit holder either holds a resource,
//     holds a reservation, or is between the two inside one critical section.
//  3. Giving a resource back puts it into `idle_` (or closes it, `size_ -= 1`) BEFORE it releases
//     the permit. So the waiter the permit wakes finds the resource, and a holder that found
//     nothing idle always has room to create (rule 2 cannot find size_ == max_size with no idle
//     resource: every open resource would be held by another permit holder, one too many).
//  4. Timeout: acquire_timeout bounds the whole acquire, the wait for a permit and the creation.
//     The deadline timer is filed only when the first poll cannot complete at once; an acquire
//     that completes on its first poll reads no clock. On a timeout in the wait, the error says
//     the pool was exhausted and how many were in use; in the creation, why creating failed.
//  5. Cancellation: dropping a waiting acquire drops its semaphore wait (the place in line is lost,
//     a permit already assigned passes to the next waiter); dropping one that is creating drops
//     the creation, undoes its reservation and releases its permit. Nothing leaks and nobody
//     waits for a wake-up that was given to a dropped acquire.
//  6. Creation failures are retried inside the acquire after a pause that doubles from
//     backoff_min to backoff_max, until the acquire's deadline. The first failure of a burst is
//     logged, and the recovery; the attempts in between are only counted.
//  7. Background maintenance (a task, when min_idle, idle_timeout or max_lifetime is set) closes
//     expired idle resources and creates resources until min_idle are idle. It takes a permit
//     only with try_acquire, which never overtakes a waiter: while anyone waits, the maintenance
//     creates nothing and the waiters' own creates fill the pool.
//  8. close() closes the semaphore (every waiting and later acquire fails with "closed"), closes
//     the idle resources at once, every checked-out one when it is given back and one that is
//     being created when its creation finishes.
//
// Thread-safety: every member may be called from any thread; a Pooled<T> is used by one task at a
// time. Make the pool inside a runtime's task (the maintenance task and destroy are spawned onto
// that runtime); call close() when done (the maintenance task keeps the pool alive until then).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/coop/budget.hpp"
#include "runtime/handle.hpp"
#include "runtime/pool/pool_config.hpp"
#include "runtime/pool/pool_metrics.hpp"
#include "runtime/sync/batch_semaphore.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/inline_task.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"
#include "runtime/task/yield_now.hpp"
#include "runtime/time/sleep.hpp"
#include "runtime/time/timeout.hpp"
#include "runtime/util/spin_lock.hpp"

namespace weft::pool {

template <class T>
class Pool;

namespace detail {
// A stress point (util/stress.hpp) for the pool's header code, compiled with the runtime.
void stress_point() noexcept;
[[nodiscard]] std::string exhausted_message(const PoolConfig& c, std::size_t in_use,
                                            std::size_t waiters, time::Duration waited);
[[nodiscard]] std::string create_timeout_message(const PoolConfig& c, time::Duration waited,
                                                 const std::string& last_error);

template <class T>
struct Entry {
    T value;
    time::Instant created;
    time::Instant returned;
};
}  // namespace detail

// Says how a Pool makes, checks and closes its resources. Only `create` is required.
template <class T>
struct Manager {
    // Opens a new resource, or returns why it could not (the message is logged and counted).
    std::function<Task<sync::Result<T, std::string>>()> create;
    // Checks an idle resource on checkout; false closes it as broken. Optional.
    std::function<Task<bool>(T&)> recycle;
    // A quick synchronous check, made when a resource is given back and when an idle one is
    // checked out; true closes it as broken. Optional; must not block (a TCP pool peeks at the
    // socket).
    std::function<bool(T&)> is_broken;
    // Closes a resource; spawned onto the pool's runtime. Optional (else it is just destroyed).
    std::function<Task<void>(T)> destroy;
    // Where the pool reports a burst of create failures and its end (warning = true for the
    // first). Optional.
    std::function<void(bool warning, const std::string& message)> log;
};

// A resource acquired from a Pool: given back when destroyed (or by release()), closed instead
// when marked broken. Keeps its pool alive.
template <class T>
class [[nodiscard]] Pooled {
   public:
    Pooled(Pooled&& o) noexcept
        : pool_(std::move(o.pool_)), entry_(std::move(o.entry_)), broken_(o.broken_) {
        o.entry_.reset();
    }
    Pooled& operator=(Pooled&& o) noexcept {
        if (this != &o) {
            release();
            pool_ = std::move(o.pool_);
            entry_ = std::move(o.entry_);
            o.entry_.reset();
            broken_ = o.broken_;
        }
        return *this;
    }
    ~Pooled() { release(); }

    T& operator*() noexcept { return entry_->value; }
    T* operator->() noexcept { return &entry_->value; }
    T& get() noexcept { return entry_->value; }
    // False after release() or discard().
    [[nodiscard]] bool holds() const noexcept { return entry_.has_value(); }

    // The resource failed (a read, a write, a protocol error): it will be closed, not reused.
    void mark_broken() noexcept { broken_ = true; }
    // Gives it back now (closed if marked broken).
    void release() noexcept;
    // Closes it now as broken.
    void discard() noexcept {
        broken_ = true;
        release();
    }

   private:
    friend class Pool<T>;
    Pooled(std::shared_ptr<Pool<T>> pool, detail::Entry<T> entry) noexcept
        : pool_(std::move(pool)), entry_(std::move(entry)) {}
    std::shared_ptr<Pool<T>> pool_;
    std::optional<detail::Entry<T>> entry_;
    bool broken_ = false;
};

template <class T>
class Pool : public std::enable_shared_from_this<Pool<T>> {
    struct Private {};

   public:
    using Acquired = sync::Result<Pooled<T>, PoolError>;

    // Makes the pool and, when there is background work (rule 7), starts its maintenance task on
    // the current runtime. Throws std::invalid_argument for max_size 0, min_idle > max_size or a
    // Manager without create, std::logic_error outside a runtime.
    [[nodiscard]] static std::shared_ptr<Pool> create(PoolConfig config, Manager<T> manager) {
        return create(std::move(config), std::move(manager), Handle::current());
    }
    // The same on `runtime`, from any thread.
    [[nodiscard]] static std::shared_ptr<Pool> create(PoolConfig config, Manager<T> manager,
                                                      Handle runtime) {
        if (config.max_size == 0) throw std::invalid_argument("pool: max_size must be at least 1");
        if (config.min_idle > config.max_size)
            throw std::invalid_argument("pool: min_idle must not exceed max_size");
        if (!manager.create) throw std::invalid_argument("pool: the manager has no create");
        auto pool = std::make_shared<Pool>(Private{}, std::move(config), std::move(manager),
                                           std::move(runtime));
        if (pool->config_.min_idle > 0 || pool->config_.idle_timeout || pool->config_.max_lifetime)
            pool->handle_.spawn(maintain(pool)).detach();
        return pool;
    }
    Pool(Private, PoolConfig config, Manager<T> manager, Handle runtime)
        : config_(std::move(config)),
          manager_(std::move(manager)),
          handle_(std::move(runtime)),
          sem_(config_.max_size) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    class Acquire;
    // Waits for a resource (rules 1-6). Cancel-safe (rule 5).
    [[nodiscard]] Acquire acquire() { return Acquire(this->shared_from_this()); }

    // Rule 8. Idempotent.
    void close() noexcept {
        std::vector<detail::Entry<T>> idle;
        {
            std::lock_guard lock(lock_);
            if (closed_.exchange(true)) return;
            idle.swap(idle_);
            size_ -= idle.size();
        }
        sem_.close();
        for (auto& e : idle) close_value(std::move(e.value), CloseReason::shutdown);
        wake_.notify_one();
    }
    [[nodiscard]] bool is_closed() const noexcept {
        return closed_.load(std::memory_order_acquire);
    }
    [[nodiscard]] const PoolConfig& config() const noexcept { return config_; }

    [[nodiscard]] PoolSnapshot snapshot() const {
        PoolSnapshot s;
        {
            std::lock_guard lock(lock_);
            s.size = size_;
            s.idle = idle_.size();
        }
        s.in_use = s.size - s.idle;
        s.max_size = config_.max_size;
        s.min_idle = config_.min_idle;
        s.waiters = waiters_.load(std::memory_order_relaxed);
        metrics_.read(s);
        return s;
    }

   private:
    friend class Pooled<T>;
    using Lock = weft::detail::SpinLock;
    using Semaphore = sync::detail::BatchSemaphore;

    // Releases one permit unless handed over to a Pooled (whose release gives it back).
    class PermitHold {
       public:
        explicit PermitHold(Pool* pool) noexcept : pool_(pool) {}
        PermitHold(const PermitHold&) = delete;
        PermitHold& operator=(const PermitHold&) = delete;
        ~PermitHold() {
            if (pool_) pool_->release_permit();
        }
        void hand_over() noexcept { pool_ = nullptr; }

       private:
        Pool* pool_;
    };
    // A reserved creation (size_ += 1), undone unless committed.
    class Reservation {
       public:
        explicit Reservation(Pool* pool) noexcept : pool_(pool) {}
        Reservation(const Reservation&) = delete;
        Reservation& operator=(const Reservation&) = delete;
        ~Reservation() { undo(); }
        void commit() noexcept { pool_ = nullptr; }
        void undo() noexcept {
            if (!pool_) return;
            {
                std::lock_guard lock(pool_->lock_);
                --pool_->size_;
            }
            pool_->wake_.notify_one();
            pool_ = nullptr;
        }

       private:
        Pool* pool_;
    };

    void release_permit() noexcept {
        detail::stress_point();
        sem_.release(1);
    }

    [[nodiscard]] bool expired(const detail::Entry<T>& e, time::Instant now,
                               CloseReason& why) const noexcept {
        if (config_.max_lifetime && now - e.created >= *config_.max_lifetime) {
            why = CloseReason::lifetime;
            return true;
        }
        if (config_.idle_timeout && now - e.returned >= *config_.idle_timeout) {
            why = CloseReason::idle;
            return true;
        }
        return false;
    }
    [[nodiscard]] bool checks_age() const noexcept {
        return config_.max_lifetime.has_value() || config_.idle_timeout.has_value();
    }

    // Rule 2: an idle resource, or a reservation (`reserved`), or neither. Expired idle ones are
    // moved to `expired_out` to be closed outside the lock (size_ already lowered).
    struct Taken {
        std::optional<detail::Entry<T>> entry;
        bool reserved = false;
    };
    Taken take_idle_or_reserve(bool may_reserve,
                               std::vector<std::pair<T, CloseReason>>& expired_out) {
        const bool ages = checks_age();
        const time::Instant now = ages ? time::now() : time::Instant{};
        detail::stress_point();
        std::lock_guard lock(lock_);
        while (!idle_.empty()) {
            detail::Entry<T> e = std::move(idle_.back());
            idle_.pop_back();
            CloseReason why{};
            if (ages && expired(e, now, why)) {
                --size_;
                expired_out.emplace_back(std::move(e.value), why);
                continue;
            }
            return Taken{std::move(e), false};
        }
        if (may_reserve && size_ < config_.max_size) {
            ++size_;
            return Taken{std::nullopt, true};
        }
        return Taken{};
    }
    // Nearly always empty: the check stays inline, the closing (a spawn each) out of line.
    void close_expired(std::vector<std::pair<T, CloseReason>>& expired) {
        if (!expired.empty()) close_each(expired);
    }
    [[gnu::noinline]] void close_each(std::vector<std::pair<T, CloseReason>>& expired) {
        for (auto& [value, why] : expired) close_value(std::move(value), why);
        expired.clear();
    }

    // Closes a resource already taken out of the accounting (size_ lowered by the caller).
    void close_value(T value, CloseReason why) noexcept {
        metrics_.count_close(why);
        if (manager_.destroy) {
            try {
                handle_.spawn(manager_.destroy(std::move(value))).detach();
            } catch (...) {
                // The runtime is gone or out of memory: the value's destructor closes it.
            }
        }
    }
    // Closes a resource that was counted in size_.
    void close_counted(T value, CloseReason why) noexcept {
        {
            std::lock_guard lock(lock_);
            --size_;
        }
        close_value(std::move(value), why);
        wake_.notify_one();  // maintenance may refill min_idle
    }

    [[nodiscard]] bool broken_now(T& value) noexcept {
        if (!manager_.is_broken) return false;
        try {
            return manager_.is_broken(value);
        } catch (...) {
            return true;
        }
    }

    // Rule 3.
    void give_back(detail::Entry<T>&& e, bool broken) noexcept {
        if (!broken) broken = broken_now(e.value);
        CloseReason why = CloseReason::broken;
        if (!broken) {
            const time::Instant now = checks_age() ? time::now() : time::Instant{};
            if (config_.max_lifetime && now - e.created >= *config_.max_lifetime) {
                why = CloseReason::lifetime;
                broken = true;
            } else {
                e.returned = now;
                detail::stress_point();
                std::unique_lock lock(lock_);
                if (!closed_.load(std::memory_order_relaxed)) {
                    idle_.push_back(std::move(e));
                    lock.unlock();
                    release_permit();
                    return;
                }
                why = CloseReason::shutdown;
                broken = true;
            }
        }
        close_counted(std::move(e.value), why);
        release_permit();
    }

    void note_create_ok() {
        metrics_.count_create();
        const std::uint64_t failed = failures_in_burst_.exchange(0, std::memory_order_acq_rel);
        if (failed > 0 && manager_.log)
            manager_.log(false, "pool '" + config_.name + "': creating works again after " +
                                    std::to_string(failed) + " failed attempt(s)");
    }
    void note_create_failure(const std::string& why) {
        metrics_.count_create_failure();
        {
            std::lock_guard lock(lock_);
            last_error_ = why;
        }
        if (failures_in_burst_.fetch_add(1, std::memory_order_acq_rel) == 0 && manager_.log)
            manager_.log(true, "pool '" + config_.name + "': cannot create a resource: " + why +
                                   " (retrying with backoff; logged again when it recovers)");
    }
    [[nodiscard]] std::string last_error() const {
        std::lock_guard lock(lock_);
        return last_error_;
    }

    // Creates one resource: its value, or why not (exceptions become the message).
    static Task<sync::Result<T, std::string>> create_one(std::shared_ptr<Pool> self) {
        std::string failure;
        try {
            auto made = co_await self->manager_.create();
            if (made) co_return std::move(made);
            failure = made.error();
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown exception";
        }
        co_return sync::err(std::move(failure));
    }

    // The part of an acquire after the permit that may wait: a recycle check or a creation.
    static Task<Acquired> slow_acquire(std::shared_ptr<Pool> self) {
        PermitHold permit(self.get());
        time::Duration backoff = self->config_.backoff_min;
        std::vector<std::pair<T, CloseReason>> expired;
        for (;;) {
            if (self->is_closed()) co_return sync::err(self->closed_error());
            Taken t = self->take_idle_or_reserve(true, expired);
            self->close_expired(expired);
            if (t.entry) {
                if (self->broken_now(t.entry->value)) {
                    self->close_counted(std::move(t.entry->value), CloseReason::broken);
                    continue;
                }
                if (self->manager_.recycle) {
                    bool ok = false;
                    try {
                        ok = co_await self->manager_.recycle(t.entry->value);
                    } catch (...) {
                        ok = false;
                    }
                    if (!ok) {
                        self->close_counted(std::move(t.entry->value), CloseReason::broken);
                        continue;
                    }
                }
                permit.hand_over();
                co_return Pooled<T>(self, std::move(*t.entry));
            }
            if (!t.reserved) {  // cannot happen by rule 3; be robust all the same
                co_await yield_now();
                continue;
            }
            Reservation reservation(self.get());
            auto made = co_await create_one(self);
            if (made) {
                reservation.commit();
                self->note_create_ok();
                permit.hand_over();
                const time::Instant now = time::now();
                co_return Pooled<T>(self, detail::Entry<T>{std::move(*made), now, now});
            }
            reservation.undo();
            self->note_create_failure(made.error());
            co_await time::sleep(backoff);
            backoff = std::min(backoff * 2, self->config_.backoff_max);
        }
    }

    // Rule 7: evicts expired idle resources, then fills min_idle. True when a create failed.
    Task<bool> maintain_once() {
        std::vector<std::pair<T, CloseReason>> stale;
        if (checks_age()) {
            const time::Instant now = time::now();
            std::lock_guard lock(lock_);
            std::size_t keep = 0;
            // idle_ is a stack: the oldest returns are at the front.
            for (std::size_t i = 0; i < idle_.size(); ++i) {
                CloseReason why{};
                const bool above_min = idle_.size() - stale.size() > config_.min_idle;
                if (expired(idle_[i], now, why) && (why == CloseReason::lifetime || above_min)) {
                    stale.emplace_back(std::move(idle_[i].value), why);
                } else {
                    if (keep != i) idle_[keep] = std::move(idle_[i]);
                    ++keep;
                }
            }
            idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(keep), idle_.end());
            size_ -= stale.size();
        }
        close_expired(stale);
        while (!is_closed()) {
            {
                std::lock_guard lock(lock_);
                if (idle_.size() >= config_.min_idle || size_ >= config_.max_size) break;
            }
            // In use, or someone waits (then no permit is free): their acquires create.
            if (sem_.try_acquire(1) != Semaphore::TryResult::ok) break;
            PermitHold permit(this);  // given back after the new resource is idle (rule 3)
            {
                std::lock_guard lock(lock_);
                if (size_ >= config_.max_size) break;
                ++size_;
            }
            Reservation reservation(this);
            auto made = co_await create_one(this->shared_from_this());
            if (!made) {
                reservation.undo();
                note_create_failure(made.error());
                co_return true;
            }
            reservation.commit();
            note_create_ok();
            const time::Instant now = time::now();
            std::unique_lock lock(lock_);
            if (closed_.load(std::memory_order_relaxed)) {
                --size_;
                lock.unlock();
                close_value(std::move(*made), CloseReason::shutdown);
                break;
            }
            idle_.push_back(detail::Entry<T>{std::move(*made), now, now});
        }
        co_return false;
    }

    static Task<void> maintain(std::shared_ptr<Pool> self) {
        const PoolConfig& c = self->config_;
        time::Duration tick = std::chrono::seconds(1);
        if (c.idle_timeout) tick = std::min(tick, *c.idle_timeout / 4);
        if (c.max_lifetime) tick = std::min(tick, *c.max_lifetime / 4);
        tick = std::max<time::Duration>(tick, std::chrono::milliseconds(10));
        time::Duration backoff = c.backoff_min;
        while (!self->is_closed()) {
            const bool failed = co_await self->maintain_once();
            if (self->is_closed()) break;
            if (failed) {
                (void)co_await time::sleep(backoff);
                backoff = std::min(backoff * 2, c.backoff_max);
                continue;
            }
            backoff = c.backoff_min;
            (void)co_await time::timeout(tick, self->wake_.notified());
        }
    }

    [[nodiscard]] PoolError closed_error() const {
        return PoolError(PoolError::Kind::closed, "pool '" + config_.name + "' is closed");
    }

    PoolConfig config_;
    Manager<T> manager_;
    Handle handle_;
    // The raw semaphore under sync::Semaphore: a permit is taken and given back by hand (a
    // Pooled holds one without a permit object), so the permit wrappers would only add work.
    Semaphore sem_;
    mutable Lock lock_;
    std::vector<detail::Entry<T>> idle_;  // guarded by lock_
    std::size_t size_ = 0;                // guarded by lock_
    std::string last_error_;              // guarded by lock_
    std::atomic<bool> closed_{false};     // set under lock_; read anywhere
    std::atomic<std::size_t> waiters_{0};
    std::atomic<std::uint64_t> failures_in_burst_{0};
    PoolMetrics metrics_;
    sync::Notify wake_;  // wakes the maintenance task
};

// The awaitable of Pool::acquire(): a permit (rule 1), then an idle resource at once, or the
// slow path (recycle, create) driven inline; bounded by acquire_timeout (rule 4).
template <class T>
class [[nodiscard]] Pool<T>::Acquire : public Pollable<Acquire> {
   public:
    explicit Acquire(std::shared_ptr<Pool> pool) noexcept : pool_(std::move(pool)) {}
    Acquire(Acquire&& o) noexcept
        : pool_(std::move(o.pool_)),
          permit_(std::move(o.permit_)),
          slow_(std::move(o.slow_)),
          started_(o.started_),
          waiting_(std::exchange(o.waiting_, false)),
          timed_out_(o.timed_out_) {
        o.permit_.reset();
        o.slow_.reset();
    }
    Acquire& operator=(Acquire&&) = delete;
    ~Acquire() { stop_waiting(); }

    bool poll(Context& cx) noexcept {
        if (immediate_ || timed_out_ || done_) return true;
        if (!slow_) {
            // A spent coop budget (as the semaphore's own acquire spends one unit per poll): the
            // task is rescheduled and polls again, no deadline filed yet.
            if (!coop::poll_proceed(cx)) return false;
            if (!take_permit(cx)) return check_deadline(cx);
            if (done_) return true;  // closed: await_resume reports it
            std::vector<std::pair<T, CloseReason>> expired;
            while (!pool_->manager_.recycle) {
                Taken t = pool_->take_idle_or_reserve(false, expired);
                pool_->close_expired(expired);
                if (!t.entry) break;
                if (pool_->broken_now(t.entry->value)) {
                    pool_->close_counted(std::move(t.entry->value), CloseReason::broken);
                    continue;
                }
                immediate_.emplace(std::move(*t.entry));
                return true;
            }
            if (started_ == time::Instant{}) started_ = time::now();
            slow_.emplace(slow_acquire(pool_));
        }
        if (slow_->poll(cx)) {
            done_ = true;
            return true;
        }
        return check_deadline(cx);
    }

    Acquired await_resume() {
        if (immediate_) {
            if (started_ == time::Instant{})
                pool_->metrics_.record_immediate();
            else
                pool_->metrics_.record_wait(time::now() - started_);
            // The acquire is finished: its reference to the pool passes to the Pooled.
            return Pooled<T>(std::move(pool_), std::move(*std::exchange(immediate_, std::nullopt)));
        }
        if (timed_out_) {
            pool_->metrics_.count_timeout();
            const time::Duration waited = time::now() - started_;
            if (slow_) {
                slow_.reset();  // drops the creation, its reservation and its permit (rule 5)
                return sync::err(PoolError(
                    PoolError::Kind::create,
                    detail::create_timeout_message(pool_->config_, waited, pool_->last_error())));
            }
            const PoolSnapshot s = pool_->snapshot();
            return sync::err(
                PoolError(PoolError::Kind::exhausted,
                          detail::exhausted_message(pool_->config_, s.in_use, s.waiters, waited)));
        }
        if (!slow_) return sync::err(pool_->closed_error());
        Acquired r = slow_->await_resume();
        slow_.reset();
        if (r) pool_->metrics_.record_wait(time::now() - started_);
        return r;
    }

   private:
    using Taken = typename Pool::Taken;
    using Semaphore = typename Pool::Semaphore;

    // Rule 1. True once this acquire owns a permit, or the semaphore closed (done_ then). The
    // first poll takes a free permit with try_acquire, which never takes one a waiter is owed,
    // and so skips the waiting machinery; only when none is free does it join the line.
    [[nodiscard]] bool take_permit(Context& cx) noexcept {
        using Poll = typename Semaphore::Acquire::Poll;
        if (!permit_) {
            switch (pool_->sem_.try_acquire(1)) {
                case Semaphore::TryResult::ok:
                    return true;  // the permit is this acquire's now
                case Semaphore::TryResult::closed:
                    done_ = true;
                    return true;
                case Semaphore::TryResult::no_permits:
                    break;
            }
            permit_.emplace(pool_->sem_, 1);
        }
        const Poll got = permit_->poll(cx.waker());
        if (got == Poll::pending) {
            coop::refund();  // waiting is not work
            if (!waiting_) {
                waiting_ = true;
                pool_->waiters_.fetch_add(1, std::memory_order_relaxed);
                started_ = time::now();
            }
            return false;
        }
        if (got == Poll::ready) permit_->take();  // the permit is this acquire's now
        permit_.reset();
        stop_waiting();
        if (got == Poll::closed) done_ = true;
        return true;
    }

    void stop_waiting() noexcept {
        if (waiting_ && pool_) pool_->waiters_.fetch_sub(1, std::memory_order_relaxed);
        waiting_ = false;
    }
    bool check_deadline(Context& cx) noexcept {
        const auto& limit = pool_->config_.acquire_timeout;
        if (!limit) return false;
        if (!deadline_) deadline_.emplace(time::sleep_until(started_ + *limit));
        if (!deadline_->poll(cx)) return false;
        timed_out_ = true;
        permit_.reset();  // leaves the line (rule 5)
        stop_waiting();
        return true;
    }

    std::shared_ptr<Pool> pool_;
    std::optional<typename Semaphore::Acquire> permit_;
    std::optional<weft::task::InlineTask<Acquired>> slow_;
    std::optional<time::Sleep> deadline_;
    std::optional<detail::Entry<T>> immediate_;
    time::Instant started_{};
    bool waiting_ = false;  // counted in waiters_
    bool timed_out_ = false;
    bool done_ = false;
};

template <class T>
void Pooled<T>::release() noexcept {
    if (!entry_) return;
    auto pool = std::move(pool_);
    detail::Entry<T> e = std::move(*entry_);
    entry_.reset();
    pool->give_back(std::move(e), broken_);
}

}  // namespace weft::pool
