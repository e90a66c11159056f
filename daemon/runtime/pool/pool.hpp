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
// State, all under the spin lock `lock_`: the slots `line_` (permit_line.hpp: max_size permits,
// the free ones and a FIFO line of acquires waiting for one), the idle resources `idle_` (a
// stack: the most recently used is handed out first, so surplus ones age out through
// idle_timeout), `size_`, the resources open or being created, and `checked_out_`, the Pooled
// objects alive.
//
//  1. A slot is a permit. An acquire takes a free permit only when nobody waits, else it joins the
//     end of the line; a permit given back goes to the head of the line. So waiters are served
//     first come, first served, and a newcomer never overtakes a waiter.
//  2. A permit holder takes an idle resource (dropping the expired ones it finds), or, when none
//     is idle, reserves a creation (`size_ += 1`) and creates one. An acquire that finds a permit
//     and an idle resource does both in one critical section (its only one). Invariant: size_ <=
//     max_size, and every permit holder either holds a resource, holds a reservation, or is
//     between the two inside one critical section.
//  3. Giving a resource back puts it into `idle_` (or closes it, `size_ -= 1`) and gives its permit
//     back in the same critical section. So the waiter the permit goes to finds the resource, and
//     a holder that found nothing idle always has room to create (rule 2 cannot find size_ ==
//     max_size with no idle resource: every open resource would be held by another permit
//     holder, one too many).
//  4. Timeout: acquire_timeout bounds the whole acquire, the wait for a permit and the creation.
//     The deadline timer is filed only when the first poll cannot complete at once; an acquire
//     that completes on its first poll reads no clock. On a timeout in the wait, the error says
//     the pool was exhausted and how many were in use; in the creation, why creating failed.
//  5. Cancellation: dropping a waiting acquire takes it out of the line (its place is lost; a
//     permit already granted to it passes to the next waiter); dropping one that is creating drops
//     the creation, undoes its reservation and gives its permit back. Nothing leaks and nobody
//     waits for a wake-up that was given to a dropped acquire.
//  6. Creation failures are retried inside the acquire after a pause that doubles from
//     backoff_min to backoff_max, until the acquire's deadline. The first failure of a burst is
//     logged, and the recovery; the attempts in between are only counted.
//  7. Background maintenance (a task, when min_idle, idle_timeout or max_lifetime is set) closes
//     expired idle resources and creates resources until min_idle are idle. It takes only a free
//     permit, which never overtakes a waiter: while anyone waits, the maintenance creates nothing
//     and the waiters' own creates fill the pool.
//  8. close() closes the line (every waiting and later acquire fails with "closed"), closes the
//     idle resources at once, every checked-out one when it is given back and one that is being
//     created when its creation finishes.
//  9. Lifetime: a Pooled keeps its pool alive without touching a reference count (an atomic
//     read-modify-write each way, a third of an acquire's cost): when the last shared_ptr to the
//     pool goes, the pool is deleted at once if nothing is checked out, else by the check-in that
//     brings `checked_out_` to zero. An Acquire borrows the pool, as a Semaphore's acquire does:
//     the caller keeps the pool (a shared_ptr to it) until the acquire completes or is dropped.
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
#include "runtime/pool/permit_line.hpp"
#include "runtime/pool/pool_config.hpp"
#include "runtime/pool/pool_metrics.hpp"
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

// A resource and its ages. Each lives in a heap block of its own from its creation to its close,
// and the idle stack, an acquire and a Pooled pass the block's pointer: a checkout moves 8 bytes,
// not the resource (a TcpStream's move is not trivial, and a struct moved through the stack stalls
// on store forwarding).
template <class T>
struct Entry {
    T value;
    time::Instant created;
    time::Instant returned;
};
template <class T>
using EntryPtr = std::unique_ptr<Entry<T>>;
template <class T>
[[nodiscard]] EntryPtr<T> make_entry(T value, time::Instant now) {
    return std::make_unique<Entry<T>>(Entry<T>{std::move(value), now, now});
}
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
// when marked broken. Keeps its pool alive (rule 9).
template <class T>
class [[nodiscard]] Pooled {
   public:
    Pooled(Pooled&& o) noexcept
        : pool_(std::exchange(o.pool_, nullptr)), entry_(std::move(o.entry_)), broken_(o.broken_) {}
    Pooled& operator=(Pooled&& o) noexcept {
        if (this != &o) {
            release();
            pool_ = std::exchange(o.pool_, nullptr);
            entry_ = std::move(o.entry_);
            broken_ = o.broken_;
        }
        return *this;
    }
    ~Pooled() { release(); }

    T& operator*() noexcept { return entry_->value; }
    T* operator->() noexcept { return &entry_->value; }
    T& get() noexcept { return entry_->value; }
    // False after release() or discard().
    [[nodiscard]] bool holds() const noexcept { return entry_ != nullptr; }

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
    // `entry` is counted in the pool's checked_out_.
    Pooled(Pool<T>* pool, detail::EntryPtr<T> entry) noexcept
        : pool_(pool), entry_(std::move(entry)) {}
    Pool<T>* pool_;  // set while entry_ is
    detail::EntryPtr<T> entry_;
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
        auto made = std::make_unique<Pool>(Private{}, std::move(config), std::move(manager),
                                           std::move(runtime));
        // The deleter is rule 9's: the pool goes when its owners and its Pooled have all gone.
        // (Should the shared_ptr's control block fail to allocate, it calls the deleter.)
        std::shared_ptr<Pool> pool(made.release(), [](Pool* p) { p->owners_gone(); });
        if (pool->config_.min_idle > 0 || pool->config_.idle_timeout || pool->config_.max_lifetime)
            pool->handle_.spawn(maintain(pool)).detach();
        return pool;
    }
    Pool(Private, PoolConfig config, Manager<T> manager, Handle runtime)
        : config_(std::move(config)),
          manager_(std::move(manager)),
          handle_(std::move(runtime)),
          line_(config_.max_size) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    class Acquire;
    // Waits for a resource (rules 1-6). Cancel-safe (rule 5). Borrows the pool (rule 9): keep it
    // until the acquire completes or is dropped.
    [[nodiscard]] Acquire acquire() noexcept { return Acquire(this); }

    // Rule 8. Idempotent.
    void close() noexcept {
        std::vector<detail::EntryPtr<T>> idle;
        sync::detail::WakeList<Waker> wakers;
        {
            std::lock_guard lock(lock_);
            if (closed_.exchange(true)) return;
            idle.swap(idle_);
            size_ -= idle.size();
            line_.close([&](Waker&& w) {
                if (!wakers.can_push()) wakers.wake_all();
                wakers.push(std::move(w));
            });
        }
        wakers.wake_all();
        for (auto& e : idle) close_value(std::move(e->value), CloseReason::shutdown);
        wake_.notify_one();
    }
    [[nodiscard]] bool is_closed() const noexcept {
        return closed_.load(std::memory_order_acquire);
    }
    [[nodiscard]] const PoolConfig& config() const noexcept { return config_; }

    [[nodiscard]] PoolSnapshot snapshot() const {
        PoolSnapshot s;
        std::uint64_t immediate = 0;
        {
            std::lock_guard lock(lock_);
            s.size = size_;
            s.idle = idle_.size();
            s.waiters = line_.waiting();
            immediate = immediate_;
        }
        s.in_use = s.size - s.idle;
        s.max_size = config_.max_size;
        s.min_idle = config_.min_idle;
        metrics_.read(s, immediate);
        return s;
    }

   private:
    friend class Pooled<T>;
    using Lock = weft::detail::SpinLock;
    using Line = detail::PermitLine;

    // A permit, given back when destroyed unless handed over to a Pooled (whose check-in gives it
    // back).
    class PermitHold {
       public:
        explicit PermitHold(Pool* pool) noexcept : pool_(pool) {}
        PermitHold(PermitHold&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)) {}
        PermitHold& operator=(PermitHold&&) = delete;
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
        // The creation's resource goes to an acquire: it is checked out from now on.
        void commit_checked_out() noexcept {
            {
                std::lock_guard lock(pool_->lock_);
                ++pool_->checked_out_;
            }
            pool_ = nullptr;
        }
        // The creation's resource goes (or went) to the idle stack, by the caller.
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

    // Rule 9: the last shared_ptr went.
    void owners_gone() noexcept {
        bool now = false;
        {
            std::lock_guard lock(lock_);
            owners_gone_ = true;
            now = checked_out_ == 0;
        }
        if (now) destroy_self();
    }
    void destroy_self() noexcept { std::unique_ptr<Pool> self(this); }

    void release_permit() noexcept {
        detail::stress_point();
        Waker next;
        {
            std::lock_guard lock(lock_);
            next = line_.give();
        }
        next.wake();
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
    // The clock, read only when a resource's age matters.
    [[nodiscard]] time::Instant now_if_aging() const noexcept {
        return checks_age() ? time::now() : time::Instant{};
    }

    // Rule 2, with lock_ held: an idle resource into `out` (checked out from now on). False when
    // none is idle. Expired idle ones are moved to `expired_out` to be closed outside the lock
    // (size_ already lowered).
    bool take_idle_locked(time::Instant now, detail::EntryPtr<T>& out,
                          std::vector<std::pair<T, CloseReason>>& expired_out) {
        const bool ages = checks_age();
        while (!idle_.empty()) {
            CloseReason why{};
            if (ages && expired(*idle_.back(), now, why)) {
                --size_;
                expired_out.emplace_back(std::move(idle_.back()->value), why);
                idle_.pop_back();
                continue;
            }
            out = std::move(idle_.back());
            idle_.pop_back();
            ++checked_out_;
            return true;
        }
        return false;
    }
    // The slow path's rule 2: an idle resource, or a reservation (`reserved`), or neither.
    struct Taken {
        detail::EntryPtr<T> entry;
        bool reserved = false;
    };
    Taken take_idle_or_reserve(std::vector<std::pair<T, CloseReason>>& expired_out) {
        const time::Instant now = now_if_aging();
        detail::stress_point();
        Taken t;
        std::lock_guard lock(lock_);
        if (!take_idle_locked(now, t.entry, expired_out) && size_ < config_.max_size) {
            ++size_;
            t.reserved = true;
        }
        return t;
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
    // Closes a resource an acquire took (counted in size_ and checked_out_) and found broken;
    // `immediate`: it had been counted as an acquisition at once, which it no longer is.
    void discard_taken(T value, bool immediate = false) noexcept {
        {
            std::lock_guard lock(lock_);
            --size_;
            --checked_out_;
            if (immediate) --immediate_;
        }
        close_value(std::move(value), CloseReason::broken);
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

    // Rule 3, the check-in of a Pooled. It touches nothing of the pool after the critical section
    // that counts it out of checked_out_ but to delete the pool (rule 9): the owners may have gone
    // meanwhile, and then the last check-in deletes it.
    void give_back(detail::EntryPtr<T> e, bool broken) noexcept {
        if (!broken) broken = broken_now(e->value);
        CloseReason why = CloseReason::broken;
        const time::Instant now = now_if_aging();
        if (!broken && config_.max_lifetime && now - e->created >= *config_.max_lifetime) {
            why = CloseReason::lifetime;
            broken = true;
        }
        if (broken) close_value(std::move(e->value), why);  // still counted: the pool is alive
        Waker next;
        bool closed = false;  // the pool closed: the value is closed after the lock (rule 8)
        bool last = false;
        {
            detail::stress_point();
            std::lock_guard lock(lock_);
            closed = !broken && closed_.load(std::memory_order_relaxed);
            if (broken || closed) {
                --size_;
            } else {
                e->returned = now;
                idle_.push_back(std::move(e));
            }
            next = line_.give();
            // A check-in that closes its resource is counted out only once done with the pool.
            if (!broken && !closed) last = --checked_out_ == 0 && owners_gone_;
        }
        next.wake();
        if (broken || closed) {
            if (closed) close_value(std::move(e->value), CloseReason::shutdown);
            wake_.notify_one();  // maintenance may refill min_idle
            std::lock_guard lock(lock_);
            last = --checked_out_ == 0 && owners_gone_;
        }
        if (last) destroy_self();
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

    // The manager's recycle check; an exception fails it.
    static Task<bool> recycle_passes(std::shared_ptr<Pool> self, T& value) {
        try {
            co_return co_await self->manager_.recycle(value);
        } catch (...) {
            co_return false;
        }
    }

    // The part of an acquire after the permit that may wait: a recycle check or a creation. One
    // co_return of the resource, after the loop: with one in each branch, clang 14 at -O1 ran the
    // loop again after a passing recycle check, losing the checked resource (a CoroSplit
    // miscompile, tests/runtime/compiler/clang_coroutine_branch_return.cpp).
    static Task<Acquired> slow_acquire(std::shared_ptr<Pool> self, PermitHold permit) {
        time::Duration backoff = self->config_.backoff_min;
        std::vector<std::pair<T, CloseReason>> expired;
        detail::EntryPtr<T> got;  // checked out
        while (!got) {
            if (self->is_closed()) co_return sync::err(self->closed_error());
            Taken t = self->take_idle_or_reserve(expired);
            self->close_expired(expired);
            if (t.entry) {
                bool ok = !self->broken_now(t.entry->value);
                if (ok && self->manager_.recycle)
                    ok = co_await recycle_passes(self, t.entry->value);
                if (ok)
                    got = std::move(t.entry);
                else
                    self->discard_taken(std::move(t.entry->value));
                continue;
            }
            if (!t.reserved) {  // cannot happen by rule 3; be robust all the same
                co_await yield_now();
                continue;
            }
            Reservation reservation(self.get());
            auto made = co_await create_one(self);
            if (made) {
                got = detail::make_entry(std::move(*made), time::now());  // may throw
                reservation.commit_checked_out();
                self->note_create_ok();
                continue;
            }
            reservation.undo();
            self->note_create_failure(made.error());
            co_await time::sleep(backoff);
            backoff = std::min(backoff * 2, self->config_.backoff_max);
        }
        permit.hand_over();
        co_return Pooled<T>(self.get(), std::move(got));
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
                if (expired(*idle_[i], now, why) && (why == CloseReason::lifetime || above_min)) {
                    stale.emplace_back(std::move(idle_[i]->value), why);
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
                // In use, or someone waits (then no permit is free): their acquires create.
                if (!line_.try_take()) break;
                ++size_;
            }
            PermitHold permit(this);  // given back with the new resource idle (rule 3)
            Reservation reservation(this);
            auto made = co_await create_one(this->shared_from_this());
            if (!made) {
                reservation.undo();
                note_create_failure(made.error());
                co_return true;
            }
            auto entry = detail::make_entry(std::move(*made), time::now());  // may throw
            reservation.commit();
            note_create_ok();
            Waker next;
            bool closed = false;
            {
                std::lock_guard lock(lock_);
                closed = closed_.load(std::memory_order_relaxed);
                if (closed)
                    --size_;
                else
                    idle_.push_back(std::move(entry));
                permit.hand_over();
                next = line_.give();
            }
            next.wake();
            if (closed) {
                close_value(std::move(entry->value), CloseReason::shutdown);
                break;
            }
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
    mutable Lock lock_;
    Line line_;                              // guarded by lock_
    std::vector<detail::EntryPtr<T>> idle_;  // guarded by lock_
    std::size_t size_ = 0;                   // guarded by lock_
    std::size_t checked_out_ = 0;            // guarded by lock_: Pooled alive, or about to be
    std::uint64_t immediate_ = 0;            // guarded by lock_: acquisitions that did not wait
    bool owners_gone_ = false;               // guarded by lock_ (rule 9)
    std::string last_error_;                 // guarded by lock_
    std::atomic<bool> closed_{false};        // set under lock_; read anywhere
    std::atomic<std::uint64_t> failures_in_burst_{0};
    PoolMetrics metrics_;
    sync::Notify wake_;  // wakes the maintenance task
};

// The awaitable of Pool::acquire(): a permit (rule 1) and an idle resource in one critical
// section, or the slow path (recycle, create) driven inline; bounded by acquire_timeout (rule 4).
// May be moved until its first poll.
template <class T>
class [[nodiscard]] Pool<T>::Acquire : public Pollable<Acquire> {
   public:
    explicit Acquire(Pool* pool) noexcept : pool_(pool) {}
    Acquire(Acquire&& o) noexcept
        : pool_(o.pool_),
          slow_(std::move(o.slow_)),
          immediate_(std::move(o.immediate_)),
          started_(o.started_),
          joined_(std::exchange(o.joined_, false)),
          timed_out_(o.timed_out_),
          done_(o.done_) {
        o.slow_.reset();
        o.immediate_.reset();
        if (joined_) {
            std::lock_guard lock(pool_->lock_);
            pool_->line_.move(o.waiter_, waiter_);
        }
    }
    Acquire& operator=(Acquire&&) = delete;
    ~Acquire() {
        leave_line();
        // Completed but never resumed (a select that dropped it): the resource goes back.
        if (immediate_) pool_->give_back(std::move(immediate_), false);
    }

    bool poll(Context& cx) noexcept {
        if (immediate_ || timed_out_ || done_) return true;
        if (!slow_) {
            // A spent coop budget (as the semaphore's own acquire spends one unit per poll): the
            // task is rescheduled and polls again, no deadline filed yet.
            if (!coop::poll_proceed(cx)) return false;
            switch (checkout(cx)) {
                case Checkout::done:
                    return true;
                case Checkout::waiting:
                    coop::refund();  // waiting is not work
                    return check_deadline(cx);
                case Checkout::slow:
                    break;
            }
        }
        if (slow_->poll(cx)) {
            done_ = true;
            return true;
        }
        return check_deadline(cx);
    }

    Acquired await_resume() {
        if (immediate_) {
            // Counted in the pool's immediate_ when it was taken without a wait.
            if (started_ != time::Instant{}) pool_->metrics_.record_wait(time::now() - started_);
            return Pooled<T>(pool_, std::move(immediate_));
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
    using Line = typename Pool::Line;

    enum class Checkout {
        done,     // an idle resource in immediate_, or the pool closed (done_)
        waiting,  // in the line
        slow,     // a permit and nothing idle to take (or a recycle to run): slow_ started
    };
    // Rules 1 and 2: a permit (free, or granted in the line) and an idle resource, in one
    // critical section.
    Checkout checkout(Context& cx) noexcept {
        Pool& pool = *pool_;
        bool permit = false;
        std::vector<std::pair<T, CloseReason>> expired;
        for (;;) {
            const time::Instant now = pool.now_if_aging();
            const bool first = started_ == time::Instant{};
            {
                detail::stress_point();
                std::lock_guard lock(pool.lock_);
                if (!permit) {
                    const Line::Take took = pool.line_.take_or_join(waiter_, cx.waker());
                    if (took == Line::Take::closed) {
                        joined_ = false;
                        done_ = true;
                        return Checkout::done;
                    }
                    if (took == Line::Take::waiting) {
                        joined_ = true;
                    } else {
                        joined_ = false;
                        permit = true;
                    }
                }
                if (permit && !pool.manager_.recycle &&
                    pool.take_idle_locked(now, immediate_, expired) && first)
                    ++pool.immediate_;
            }
            if (!permit) {
                if (first) started_ = time::now();
                return Checkout::waiting;
            }
            pool.close_expired(expired);
            if (!immediate_) break;
            if (!pool.broken_now(immediate_->value)) return Checkout::done;  // the permit with it
            pool.discard_taken(std::move(immediate_->value), first);
            immediate_.reset();
        }
        if (started_ == time::Instant{}) started_ = time::now();
        slow_.emplace(slow_acquire(pool.shared_from_this(), PermitHold(&pool)));
        return Checkout::slow;
    }

    void leave_line() noexcept {
        if (!joined_) return;
        joined_ = false;
        Waker next;
        {
            std::lock_guard lock(pool_->lock_);
            next = pool_->line_.leave(waiter_);
        }
        next.wake();
    }
    bool check_deadline(Context& cx) noexcept {
        const auto& limit = pool_->config_.acquire_timeout;
        if (!limit) return false;
        if (!deadline_) deadline_.emplace(time::sleep_until(started_ + *limit));
        if (!deadline_->poll(cx)) return false;
        timed_out_ = true;
        leave_line();  // rule 5
        return true;
    }

    Pool* pool_;
    std::optional<weft::task::InlineTask<Acquired>> slow_;
    std::optional<time::Sleep> deadline_;
    detail::EntryPtr<T> immediate_;
    typename Line::Waiter waiter_;
    time::Instant started_{};
    bool joined_ = false;  // waiter_ is in the line, or was granted a permit not yet taken
    bool timed_out_ = false;
    bool done_ = false;
};

template <class T>
void Pooled<T>::release() noexcept {
    if (!entry_) return;
    Pool<T>* pool = std::exchange(pool_, nullptr);
    pool->give_back(std::move(entry_), broken_);
}

}  // namespace weft::pool
