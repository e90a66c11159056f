// Pools (ABI 1.3, plugin.h 6.14): connections from the operator's named tcp pools, and a generic
// pool for a plugin's own resources, both sized in the config's `pools` section.
//
//   weft::Pool cache(host(), "cache");                 // "pools": {"cache": {"kind": "tcp", ...}}
//   {
//       auto conn = co_await cache.acquire();          // a connected stream, or throws
//       co_await conn.write_all(request);
//       std::size_t n = co_await conn.read(buf, sizeof buf);
//   }                                                  // given back here for the next task
//
// A connection is given back when its guard (weft::PooledConn) is destroyed, and closed instead
// (never handed out again) when it was marked broken, or when the guard's scope is left by an
// exception (a read or a write that threw, a protocol error): a stream in an unknown state must
// not reach the next user. acquire() throws weft::Error: WEFT_ERR_EXHAUSTED when acquire_timeout
// passed with every connection in use (what(): "pool 'cache' exhausted: 16 of 16 in use, ..."),
// WEFT_ERR_TIMED_OUT when connecting failed all that time, WEFT_ERR_SHUTDOWN at shutdown.
//
//   weft::ResourcePool<Db> db(host(), "db", {
//       .create = []() -> weft::Task<Db> { co_return co_await Db::open(...); },   // may throw
//       .recycle = [](Db& d) -> weft::Task<bool> { co_return co_await d.ping(); }, // optional
//       .destroy = [](Db d) -> weft::Task<> { co_await d.close(); },              // optional
//   });                                                // "db": {"kind": "resource", ...}
//   auto handle = co_await db.acquire();               // weft::Pooled<Db>
//   handle->query(...);
//
// The generic pool takes its limits from the config like a tcp pool and shows in /status and
// /metrics under its name: the host serves the line (at most max_size in use, waiters first come
// first served, acquire_timeout), the plugin keeps its idle resources (the most recently used is
// handed out first). A plugin's resources, idle and in use, are at most max_size: keep_warm
// creates only below that. Resources older than max_lifetime or idle
// longer than idle_timeout are destroyed instead of handed out; a failed create is retried with
// backoff (logged once per burst) until acquire_timeout; keep_warm(), spawned once, keeps min_idle
// resources ready and evicts idle ones in the background. Several plugins opening the same
// resource pool share its limits (the in-use count) but each keeps its own resources.
//
// Thread-safety: a pool object may be used by every task of the plugin at once; a guard by one
// task at a time. Both refer to their pool: keep the pool alive while a guard or acquire exists.
// On a host older than ABI 1.3, opening a pool throws Error(WEFT_ERR_UNSUPPORTED).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/net.hpp"
#include "weft/sdk/task.hpp"
#include "weft/sdk/time.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

inline weft_pool* open_pool(const Host& host, std::string_view name, weft_pool_kind kind) {
    const std::string n(name);
    weft_pool* p = nullptr;
    const weft_status s = weft_pool_open(host.raw(), n.c_str(), &p);
    if (s != WEFT_OK) {
        std::string why = take_last_error(host.api());
        throw Error(s, "opening pool '" + n + "'" + (why.empty() ? "" : ": " + why));
    }
    weft_pool_info info{};
    info.size = sizeof info;
    if (weft_pool_query(p, &info) == WEFT_OK && info.kind != kind) {
        weft_pool_close(p);
        throw Error(WEFT_ERR_MISMATCH, "pool '" + n + "' is a " +
                                           (info.kind == WEFT_POOL_TCP ? "tcp" : "resource") +
                                           " pool in the config, opened as a " +
                                           (kind == WEFT_POOL_TCP ? "tcp" : "resource") + " pool");
    }
    return p;
}

// The host's acquire, as an awaitable; `out` NULL for a resource pool's slot.
class PoolAcquire : public Awaitable<PoolAcquire> {
   public:
    PoolAcquire(weft_pool* pool, bool tcp) noexcept : pool_(pool), tcp_(tcp) {}
    PoolAcquire(PoolAcquire&& o) noexcept
        : Awaitable<PoolAcquire>(o),
          pool_(o.pool_),
          tcp_(o.tcp_),
          out_(std::exchange(o.out_, nullptr)),
          op_(std::exchange(o.op_, nullptr)) {}
    PoolAcquire& operator=(PoolAcquire&&) = delete;
    ~PoolAcquire() {
        weft_op_cancel(&op_);
        if (out_) (void)weft_pool_release(pool_, out_);
    }
    weft_status poll(weft_context* cx) noexcept {
        const weft_status st = weft_pool_acquire(cx, pool_, tcp_ ? &out_ : nullptr, &op_);
        if (st < 0) error_ = take_last_error(WEFT__API(pool_));
        return st;
    }
    // The connection (tcp) or nullptr (a slot); throws Error on failure.
    weft_stream* await_resume() {
        if (this->status_ != WEFT_OK)
            throw Error(this->status_, error_.empty() ? std::string("pool acquire") : error_);
        return std::exchange(out_, nullptr);
    }

   private:
    weft_pool* pool_;
    bool tcp_;
    weft_stream* out_ = nullptr;
    weft_op* op_ = nullptr;
    std::string error_;
};

}  // namespace detail

// A connection acquired from a tcp Pool; given back when destroyed (see the top of the file).
class [[nodiscard]] PooledConn {
   public:
    PooledConn() noexcept = default;
    PooledConn(weft_pool* pool, weft_stream* s) noexcept
        : pool_(pool), s_(s), exceptions_(std::uncaught_exceptions()) {}
    PooledConn(PooledConn&& o) noexcept
        : pool_(o.pool_),
          s_(std::exchange(o.s_, nullptr)),
          broken_(o.broken_),
          exceptions_(o.exceptions_) {}
    PooledConn& operator=(PooledConn&& o) noexcept {
        if (this != &o) {
            release();
            pool_ = o.pool_;
            s_ = std::exchange(o.s_, nullptr);
            broken_ = o.broken_;
            exceptions_ = o.exceptions_;
        }
        return *this;
    }
    ~PooledConn() {
        if (std::uncaught_exceptions() > exceptions_) broken_ = true;
        release();
    }

    // The stream's calls (weft/sdk/net.hpp): same cancel-safety, same errors.
    [[nodiscard]] Stream::Read read(void* buf, std::size_t len) noexcept { return {s_, buf, len}; }
    [[nodiscard]] Stream::Write write(const void* data, std::size_t len) noexcept {
        return {s_, data, len};
    }
    [[nodiscard]] Stream::WriteAll write_all(const void* data, std::size_t len) noexcept {
        return {s_, data, len};
    }
    [[nodiscard]] Stream::WriteAll write_all(const std::string& text) noexcept {
        return {s_, text.data(), text.size()};
    }
    [[nodiscard]] Stream::ReadExact read_exact(void* buf, std::size_t len) noexcept {
        return {s_, buf, len};
    }
    [[nodiscard]] weft_stream* raw() const noexcept { return s_; }
    [[nodiscard]] explicit operator bool() const noexcept { return s_ != nullptr; }

    // The connection failed or is out of step: it will be closed, not reused.
    void mark_broken() noexcept { broken_ = true; }
    // Gives it back now (closed if marked broken).
    void release() noexcept {
        if (!s_) return;
        weft_stream* s = std::exchange(s_, nullptr);
        (void)(broken_ ? weft_pool_discard(pool_, s) : weft_pool_release(pool_, s));
    }

   private:
    weft_pool* pool_ = nullptr;
    weft_stream* s_ = nullptr;
    bool broken_ = false;
    int exceptions_ = 0;
};

// A named tcp pool from the config. Move-only; closes its handle when destroyed.
class Pool {
   public:
    Pool() noexcept = default;
    // Throws Error: WEFT_ERR_NOT_FOUND (not in the config), WEFT_ERR_MISMATCH (a resource pool),
    // WEFT_ERR_UNSUPPORTED (a host older than ABI 1.3).
    Pool(const Host& host, std::string_view name)
        : pool_(detail::open_pool(host, name, WEFT_POOL_TCP)) {}
    Pool(Pool&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)) {}
    Pool& operator=(Pool&& o) noexcept {
        if (this != &o) {
            close();
            pool_ = std::exchange(o.pool_, nullptr);
        }
        return *this;
    }
    ~Pool() { close(); }

    class [[nodiscard]] Acquire : public Awaitable<Acquire> {
       public:
        explicit Acquire(weft_pool* pool) noexcept : pool_(pool), inner_(pool, true) {}
        weft_status poll(weft_context* cx) noexcept { return inner_.poll_status(cx); }
        PooledConn await_resume() { return PooledConn(pool_, inner_.await_resume()); }

       private:
        weft_pool* pool_;
        detail::PoolAcquire inner_;
    };
    // Waits for a connection (cancel-safe: dropped, it takes none and leaves the line).
    [[nodiscard]] Acquire acquire() const noexcept { return Acquire(pool_); }

    // Limits and state now (weft_pool_info).
    [[nodiscard]] weft_pool_info info() const noexcept {
        weft_pool_info i{};
        i.size = sizeof i;
        (void)weft_pool_query(pool_, &i);
        return i;
    }
    [[nodiscard]] weft_pool* raw() const noexcept { return pool_; }
    void close() noexcept {
        if (pool_) weft_pool_close(std::exchange(pool_, nullptr));
    }

   private:
    weft_pool* pool_ = nullptr;
};

template <class T>
class ResourcePool;

// A resource acquired from a ResourcePool; given back when destroyed, destroyed instead when
// marked broken or when its scope is left by an exception.
template <class T>
class [[nodiscard]] Pooled {
   public:
    Pooled(Pooled&& o) noexcept
        : pool_(std::exchange(o.pool_, nullptr)),
          value_(std::move(o.value_)),
          created_(o.created_),
          broken_(o.broken_),
          exceptions_(o.exceptions_) {}
    Pooled& operator=(Pooled&&) = delete;
    ~Pooled() {
        if (std::uncaught_exceptions() > exceptions_) broken_ = true;
        release();
    }
    T& operator*() noexcept { return *value_; }
    T* operator->() noexcept { return &*value_; }
    void mark_broken() noexcept { broken_ = true; }
    void release() noexcept {
        if (pool_) std::exchange(pool_, nullptr)->give_back(std::move(*value_), created_, broken_);
    }

   private:
    friend class ResourcePool<T>;
    Pooled(ResourcePool<T>* pool, T value, Clock::time_point created) noexcept
        : pool_(pool),
          value_(std::move(value)),
          created_(created),
          exceptions_(std::uncaught_exceptions()) {}
    ResourcePool<T>* pool_;
    std::optional<T> value_;
    Clock::time_point created_;
    bool broken_ = false;
    int exceptions_ = 0;
};

// The generic pool for a plugin's own resources (see the top of the file).
template <class T>
class ResourcePool {
   public:
    struct Manager {
        std::function<Task<T>()> create;        // required; throws on failure
        std::function<Task<bool>(T&)> recycle;  // optional: false destroys it
        std::function<Task<void>(T)> destroy;   // optional: awaited when one is closed
    };

    // Throws Error as Pool's constructor does (WEFT_ERR_MISMATCH for a tcp pool), or
    // std::invalid_argument for a Manager without create.
    ResourcePool(const Host& host, std::string_view name, Manager manager)
        : host_(host),
          name_(name),
          manager_(std::move(manager)),
          pool_(detail::open_pool(host, name, WEFT_POOL_RESOURCE)) {
        if (!manager_.create) {
            weft_pool_close(pool_);
            throw std::invalid_argument("weft::ResourcePool: the manager has no create");
        }
        info_.size = sizeof info_;
        (void)weft_pool_query(pool_, &info_);
    }
    ResourcePool(const ResourcePool&) = delete;
    ResourcePool& operator=(const ResourcePool&) = delete;
    ~ResourcePool() {
        if (pool_) weft_pool_close(pool_);
    }

    [[nodiscard]] const weft_pool_info& limits() const noexcept { return info_; }

    // Waits for a free slot (the host's line: FIFO, acquire_timeout), then hands out an idle
    // resource or creates one. Throws Error (WEFT_ERR_EXHAUSTED, WEFT_ERR_TIMED_OUT when creating
    // failed until acquire_timeout, WEFT_ERR_SHUTDOWN).
    Task<Pooled<T>> acquire() {
        const Clock::time_point started = Clock::now();
        (void)co_await detail::PoolAcquire(pool_, false);
        SlotHold slot(pool_);
        while (auto idle = take_idle()) {
            if (manager_.recycle) {
                bool ok = false;
                try {
                    ok = co_await manager_.recycle(idle->value);
                } catch (...) {
                    ok = false;
                }
                if (!ok) {
                    co_await close_one(std::move(idle->value), std::nullopt);
                    continue;
                }
            }
            slot.hand_over();
            count_handed_out();
            co_return Pooled<T>(this, std::move(idle->value), idle->created);
        }
        auto backoff = std::chrono::milliseconds(50);
        const auto deadline =
            started + std::chrono::nanoseconds(static_cast<std::int64_t>(info_.acquire_timeout_ns));
        for (;;) {
            std::string why;
            try {
                T made = co_await manager_.create();
                created_ok();
                slot.hand_over();
                count_handed_out();
                co_return Pooled<T>(this, std::move(made), Clock::now());
            } catch (const std::exception& e) {
                why = e.what();
            }
            create_failed(why);
            if (info_.acquire_timeout_ns != 0 && Clock::now() + backoff >= deadline)
                throw Error(WEFT_ERR_TIMED_OUT, "pool '" + name_ +
                                                    "': no resource within acquire_timeout: "
                                                    "creating failed: " +
                                                    why);
            co_await sleep(backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }

    // Keeps min_idle resources ready and closes idle and old ones, until the plugin shuts down
    // or the pool closes. Spawn it once: weft::spawn(pool.keep_warm()).
    Task<void> keep_warm() {
        auto backoff = std::chrono::milliseconds(50);
        while (weft_shutdown_is_requested(host_.raw()) == 0) {
            co_await evict();
            bool failed = false;
            while (wants_warm()) {
                try {
                    T made = co_await manager_.create();
                    created_ok();
                    std::lock_guard lock(mutex_);
                    idle_.push_back(Idle{std::move(made), Clock::now(), Clock::now()});
                    record_idle_locked();
                } catch (const std::exception& e) {
                    create_failed(e.what());
                    failed = true;
                    break;
                }
            }
            if (failed) {
                co_await sleep(backoff);
                backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            } else {
                backoff = std::chrono::milliseconds(50);
                co_await sleep(std::chrono::milliseconds(250));
            }
        }
    }

   private:
    friend class Pooled<T>;
    struct Idle {
        T value;
        Clock::time_point created;
        Clock::time_point returned;
    };
    // The host slot, freed unless handed over to a Pooled.
    class SlotHold {
       public:
        explicit SlotHold(weft_pool* p) noexcept : p_(p) {}
        SlotHold(const SlotHold&) = delete;
        SlotHold& operator=(const SlotHold&) = delete;
        ~SlotHold() {
            if (p_) (void)weft_pool_release(p_, nullptr);
        }
        void hand_over() noexcept { p_ = nullptr; }

       private:
        weft_pool* p_;
    };

    [[nodiscard]] bool too_old(const Idle& i, Clock::time_point now,
                               weft_pool_event& why) const noexcept {
        const auto lifetime = std::chrono::nanoseconds(info_.max_lifetime_ns);
        const auto idle_for = std::chrono::nanoseconds(info_.idle_timeout_ns);
        if (info_.max_lifetime_ns != 0 && now - i.created >= lifetime) {
            why = WEFT_POOL_CLOSED_LIFETIME;
            return true;
        }
        if (info_.idle_timeout_ns != 0 && now - i.returned >= idle_for) {
            why = WEFT_POOL_CLOSED_IDLE;
            return true;
        }
        return false;
    }
    std::optional<Idle> take_idle() {
        const Clock::time_point now = Clock::now();
        std::vector<std::pair<T, weft_pool_event>> old;
        std::optional<Idle> got;
        {
            std::lock_guard lock(mutex_);
            while (!idle_.empty()) {
                Idle i = std::move(idle_.back());
                idle_.pop_back();
                weft_pool_event why{};
                if (too_old(i, now, why)) {
                    old.emplace_back(std::move(i.value), why);
                    continue;
                }
                got.emplace(std::move(i));
                break;
            }
            record_idle_locked();
        }
        for (auto& [value, why] : old) {
            (void)weft_pool_record(pool_, why, 1);
            if (manager_.destroy) spawn(manager_.destroy(std::move(value))).detach();
        }
        return got;
    }
    // keep_warm's test: fewer than min_idle idle, and room below max_size counting those in use.
    bool wants_warm() {
        std::lock_guard lock(mutex_);
        return idle_.size() < info_.min_idle && idle_.size() + in_use_ < info_.max_size;
    }
    void count_handed_out() {
        std::lock_guard lock(mutex_);
        ++in_use_;
    }
    Task<void> evict() {
        const Clock::time_point now = Clock::now();
        std::vector<std::pair<T, weft_pool_event>> old;
        {
            std::lock_guard lock(mutex_);
            std::vector<Idle> keep;
            for (auto& i : idle_) {
                weft_pool_event why{};
                const bool above_min = idle_.size() - old.size() > info_.min_idle;
                if (too_old(i, now, why) && (why == WEFT_POOL_CLOSED_LIFETIME || above_min))
                    old.emplace_back(std::move(i.value), why);
                else
                    keep.push_back(std::move(i));
            }
            idle_ = std::move(keep);
            record_idle_locked();
        }
        for (auto& [value, why] : old) co_await close_one(std::move(value), why);
    }
    Task<void> close_one(T value, std::optional<weft_pool_event> why) {
        if (why) (void)weft_pool_record(pool_, *why, 1);
        if (manager_.destroy) {
            try {
                co_await manager_.destroy(std::move(value));
            } catch (...) {  // a failed close is the resource's last word; the pool goes on
            }
        }
    }
    void give_back(T value, Clock::time_point created, bool broken) noexcept {
        {
            std::lock_guard lock(mutex_);
            --in_use_;
        }
        try {
            const Clock::time_point now = Clock::now(host_);
            const bool old = info_.max_lifetime_ns != 0 &&
                             now - created >= std::chrono::nanoseconds(info_.max_lifetime_ns);
            if (!broken && !old) {
                std::lock_guard lock(mutex_);
                if (idle_.size() < info_.max_size) {
                    idle_.push_back(Idle{std::move(value), created, now});
                    record_idle_locked();
                    (void)weft_pool_release(pool_, nullptr);
                    return;
                }
            }
            if (old && !broken) (void)weft_pool_record(pool_, WEFT_POOL_CLOSED_LIFETIME, 1);
            (void)(broken ? weft_pool_discard(pool_, nullptr) : weft_pool_release(pool_, nullptr));
            if (manager_.destroy) spawn(host_, manager_.destroy(std::move(value))).detach();
        } catch (...) {  // out of memory: the value's destructor closes it
        }
    }
    void record_idle_locked() noexcept {
        (void)weft_pool_record(pool_, WEFT_POOL_IDLE_COUNT, idle_.size());
    }
    void created_ok() {
        (void)weft_pool_record(pool_, WEFT_POOL_CREATED, 1);
        std::uint64_t failed = 0;
        {
            std::lock_guard lock(mutex_);
            failed = std::exchange(failures_in_burst_, 0);
        }
        if (failed > 0)
            host_.log().info("pool '", name_, "': creating works again after ", failed,
                             " failed attempt(s)");
    }
    void create_failed(const std::string& why) {
        (void)weft_pool_record(pool_, WEFT_POOL_CREATE_FAILED, 1);
        bool first = false;
        {
            std::lock_guard lock(mutex_);
            first = failures_in_burst_++ == 0;
        }
        if (first)
            host_.log().warn("pool '", name_, "': cannot create a resource: ", why,
                             " (retrying with backoff; logged again when it recovers)");
    }

    Host host_;
    std::string name_;
    Manager manager_;
    weft_pool* pool_;
    weft_pool_info info_{};
    std::mutex mutex_;
    std::size_t in_use_ = 0;  // this plugin's resources handed out and not given back; mutex_
    std::vector<Idle> idle_;  // guarded by mutex_; the most recently returned at the back
    std::uint64_t failures_in_burst_ = 0;
};

}  // namespace sdk
}  // namespace weft
