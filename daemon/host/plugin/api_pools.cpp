// Host function table: named pools (plugin.h 6.14, ABI 1.3), over host/pools/pool_set.hpp.
//
// A weft_pool handle is one plugin's view of a NamedPool. An acquired connection is a
// pool::Pooled<TcpStream>: its stream moves into an ordinary weft_stream (stream_handles.hpp) so
// every 6.12 call works on it, and the Pooled, now an empty shell holding the pool's slot, waits
// in the handle's `lent_` map until the plugin gives the stream back; the stream then moves back
// into the shell, which returns it to the pool (or closes it, when discarded or found unusable).
// A resource pool's slots wait in `slots_` the same way.
//
// The acquire keeps the runtime's Pool::Acquire in the operation slot: its place in line,
// deadline and connect in progress; cancelling the operation drops them (pool.hpp rule 5).
#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <variant>
#include <vector>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/plugin/stream_handles.hpp"
#include "host/registry/registry.hpp"

namespace weft::host {
namespace {

using TcpPooled = pool::Pooled<net::TcpStream>;
using SlotPooled = pool::Pooled<PoolSlot>;

class PoolHandle final : public weft_pool, public OwnedHandle {
   public:
    PoolHandle(PluginInstance& plugin, std::shared_ptr<NamedPool> pool) noexcept
        : weft_pool{&host_api()}, plugin_(plugin), pool_(std::move(pool)) {}
    [[nodiscard]] static PoolHandle& of(weft_pool* p) noexcept {
        return static_cast<PoolHandle&>(*p);
    }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "pool"; }
    [[nodiscard]] PluginInstance& plugin() const noexcept { return plugin_; }
    [[nodiscard]] NamedPool& pool() const noexcept { return *pool_; }
    [[nodiscard]] const std::shared_ptr<NamedPool>& shared() const noexcept { return pool_; }
    void close() noexcept { plugin_.handles().close(this); }

    // Hands the connection to the plugin as a weft_stream.
    weft_stream* lend(TcpPooled conn) {
        weft_stream* s = adopt_tcp_stream(plugin_, std::move(conn.get()));
        std::lock_guard lock(mutex_);
        lent_.emplace(s, std::move(conn));
        return s;
    }
    // Takes back a stream this handle lent; false if it did not lend it.
    bool take_back(weft_stream* s, bool broken) {
        std::optional<TcpPooled> shell;
        {
            std::lock_guard lock(mutex_);
            const auto it = lent_.find(s);
            if (it == lent_.end()) return false;
            shell.emplace(std::move(it->second));
            lent_.erase(it);
        }
        shell->get() = reclaim_tcp_stream(s);
        if (broken) shell->mark_broken();
        shell->release();
        return true;
    }
    void hold(SlotPooled slot) {
        std::lock_guard lock(mutex_);
        slots_.push_back(std::move(slot));
    }
    bool give_slot(bool broken) {
        std::optional<SlotPooled> slot;
        {
            std::lock_guard lock(mutex_);
            if (slots_.empty()) return false;
            slot.emplace(std::move(slots_.back()));
            slots_.pop_back();
        }
        if (broken) slot->mark_broken();
        slot->release();
        return true;
    }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<NamedPool> pool_;
    std::mutex mutex_;
    // Shells of connections whose stream the plugin holds. Destroyed with the handle: a shell
    // whose stream never came back gives back an invalid stream, closed as broken.
    std::unordered_map<weft_stream*, TcpPooled> lent_;
    std::vector<SlotPooled> slots_;
};

weft_status status_of(const pool::PoolError& e) {
    set_last_error(e.message());
    switch (e.kind()) {
        case pool::PoolError::Kind::closed:
            return WEFT_ERR_SHUTDOWN;
        case pool::PoolError::Kind::exhausted:
            return WEFT_ERR_EXHAUSTED;
        case pool::PoolError::Kind::create:
            break;
    }
    return WEFT_ERR_TIMED_OUT;
}

class PoolAcquireOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::pool_acquire;
    explicit PoolAcquireOp(const std::shared_ptr<NamedPool>& p)
        : OpBase(kKind), pool_(p), acquire_(make(*p)) {}

    weft_status poll(Context& cx, PoolHandle& h, weft_stream** out) {
        return std::visit(
            [&](auto& acquire) -> weft_status {
                if (!acquire.poll(cx)) return WEFT_PENDING;
                auto got = acquire.await_resume();
                if (!got) return status_of(got.error());
                if constexpr (std::is_same_v<std::decay_t<decltype(acquire)>,
                                             pool::TcpPool::Acquire>) {
                    *out = h.lend(std::move(*got));
                } else {
                    h.hold(std::move(*got));
                }
                return WEFT_OK;
            },
            acquire_);
    }

   private:
    using Either = std::variant<pool::TcpPool::Acquire, pool::Pool<PoolSlot>::Acquire>;
    static Either make(NamedPool& p) {
        if (p.tcp) return Either(std::in_place_index<0>, p.tcp->acquire());
        return Either(std::in_place_index<1>, p.slots->acquire());
    }
    std::shared_ptr<NamedPool> pool_;  // keeps the pool alive while the op waits
    Either acquire_;
};

weft_status pool_open(weft_host* host, const char* name, weft_pool** out) {
    if (out) *out = nullptr;
    if (!host || !out || !name || !*name)
        return invalid("weft_pool_open: NULL argument or empty name");
    clear_last_error();
    return guarded([&] {
        auto& plugin = PluginInstance::of(host);
        auto& pools = plugin.registry().pools();
        auto found = pools.find(name);
        if (!found) {
            set_last_error(std::string("no pool '") + name +
                           "' in the config's pools section (declared: " + pools.names() + ")");
            return WEFT_ERR_NOT_FOUND;
        }
        auto handle = std::make_unique<PoolHandle>(plugin, std::move(found));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

void pool_close(weft_pool* p) {
    if (p) PoolHandle::of(p).close();
}

std::uint64_t ns_of(std::uint32_t ms) { return std::uint64_t{ms} * 1'000'000; }

weft_status pool_query(weft_pool* p, weft_pool_info* out) {
    if (!p || !out || out->size < offsetof(weft_pool_info, max_size))
        return invalid("weft_pool_query: NULL argument or out->size too small");
    return guarded([&] {
        NamedPool& pool = PoolHandle::of(p).pool();
        weft_pool_info info{};
        info.size = out->size;
        info.kind = pool.tcp ? WEFT_POOL_TCP : WEFT_POOL_RESOURCE;
        info.max_size = pool.config.max_size;
        info.min_idle = pool.config.min_idle;
        info.idle_timeout_ns = ns_of(pool.config.idle_timeout_ms);
        info.max_lifetime_ns = ns_of(pool.config.max_lifetime_ms);
        info.acquire_timeout_ns = ns_of(pool.config.acquire_timeout_ms);
        const pool::PoolSnapshot s = pool.tcp ? pool.tcp->snapshot() : pool.slots->snapshot();
        info.in_use = s.in_use;
        info.idle = pool.tcp ? s.idle : pool.recorded_idle.load(std::memory_order_relaxed);
        info.waiters = s.waiters;
        std::memcpy(out, &info, std::min(out->size, sizeof info));
        return WEFT_OK;
    });
}

weft_status pool_acquire(weft_context* c, weft_pool* p, weft_stream** out, weft_op** op) {
    if (!c || !p || !op) return invalid("weft_pool_acquire: NULL argument");
    auto& h = PoolHandle::of(p);
    if (h.pool().tcp && !out)
        return invalid("weft_pool_acquire: pool '" + h.pool().name +
                       "' is a tcp pool: pass `out` for the connection");
    if (out && *op == nullptr) *out = nullptr;
    return guarded([&] {
        PoolAcquireOp* acquire = nullptr;
        if (*op == nullptr) {
            auto owned = std::make_unique<PoolAcquireOp>(h.shared());
            acquire = owned.get();
            *op = owned.release();
        } else if ((acquire = op_cast<PoolAcquireOp>(*op)) == nullptr) {
            return invalid("weft_pool_acquire: the operation slot holds another operation");
        }
        const weft_status s = acquire->poll(context_of(c).cx, h, out);
        if (s != WEFT_PENDING) finish_op(op);
        return s;
    });
}

weft_status give_back(weft_pool* p, weft_stream* conn, bool broken, const char* what) {
    if (!p) return invalid(std::string(what) + ": NULL pool");
    auto& h = PoolHandle::of(p);
    return guarded([&] {
        if (h.pool().tcp) {
            if (!conn || !h.take_back(conn, broken))
                return invalid(std::string(what) + ": that stream was not acquired from pool '" +
                               h.pool().name + "' through this handle");
            return WEFT_OK;
        }
        if (conn || !h.give_slot(broken))
            return invalid(std::string(what) + ": resource pool '" + h.pool().name +
                           "' takes conn NULL, once per slot this handle acquired");
        return WEFT_OK;
    });
}

weft_status pool_release(weft_pool* p, weft_stream* conn) {
    return give_back(p, conn, false, "weft_pool_release");
}
weft_status pool_discard(weft_pool* p, weft_stream* conn) {
    return give_back(p, conn, true, "weft_pool_discard");
}

weft_status pool_record(weft_pool* p, weft_pool_event event, uint64_t value) {
    if (!p) return invalid("weft_pool_record: NULL pool");
    NamedPool& pool = PoolHandle::of(p).pool();
    if (pool.tcp) return invalid("weft_pool_record: pool '" + pool.name + "' is a tcp pool");
    const auto close_slot = [&](pool::CloseReason r) -> auto& {
        return pool.recorded_closes[static_cast<std::size_t>(r)];
    };
    switch (event) {
        case WEFT_POOL_CREATED:
            pool.recorded_creates.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        case WEFT_POOL_CREATE_FAILED:
            pool.recorded_create_failures.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        case WEFT_POOL_CLOSED_IDLE:
            close_slot(pool::CloseReason::idle).fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        case WEFT_POOL_CLOSED_LIFETIME:
            close_slot(pool::CloseReason::lifetime).fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        case WEFT_POOL_IDLE_COUNT:
            pool.recorded_idle.store(value, std::memory_order_relaxed);
            return WEFT_OK;
    }
    return invalid("weft_pool_record: unknown event " + std::to_string(static_cast<int>(event)));
}

}  // namespace

void fill_pool_api(weft_host_api& api) noexcept {
    api.pool_open = pool_open;
    api.pool_close = pool_close;
    api.pool_query = pool_query;
    api.pool_acquire = pool_acquire;
    api.pool_release = pool_release;
    api.pool_discard = pool_discard;
    api.pool_record = pool_record;
}

}  // namespace weft::host
