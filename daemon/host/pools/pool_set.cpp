#include "host/pools/pool_set.hpp"

#include <spdlog/spdlog.h>

namespace weft::host {
namespace {

std::optional<time::Duration> ms_or_none(std::uint32_t ms) {
    if (ms == 0) return std::nullopt;
    return std::chrono::milliseconds(ms);
}

void log_pool(bool warning, const std::string& message) {
    if (warning)
        spdlog::warn("{}", message);
    else
        spdlog::info("{}", message);
}

}  // namespace

pool::PoolConfig runtime_config_of(const std::string& name, const NamedPoolConfig& c) {
    pool::PoolConfig out;
    out.name = name;
    out.max_size = c.max_size;
    out.min_idle = c.min_idle;
    out.idle_timeout = ms_or_none(c.idle_timeout_ms);
    out.max_lifetime = ms_or_none(c.max_lifetime_ms);
    out.acquire_timeout = ms_or_none(c.acquire_timeout_ms);
    return out;
}

PoolSet::PoolSet(std::map<std::string, NamedPoolConfig, std::less<>> configs)
    : configs_(std::move(configs)) {}

PoolSet::~PoolSet() { close_all(); }

namespace {

std::shared_ptr<NamedPool> make_pool(const std::string& name, const NamedPoolConfig& c,
                                     const Handle& runtime) {
    auto named = std::make_shared<NamedPool>();
    named->name = name;
    named->config = c;
    if (c.kind == PoolKind::tcp) {
        named->tcp =
            pool::make_tcp_pool(runtime_config_of(name, c),
                                {.address = c.address,
                                 .connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms),
                                 .log = log_pool},
                                runtime);
    } else {
        // Slots only: the plugin applies min_idle and the ages to its own resources.
        pool::PoolConfig slots = runtime_config_of(name, c);
        slots.min_idle = 0;
        slots.idle_timeout.reset();
        slots.max_lifetime.reset();
        pool::Manager<PoolSlot> m;
        m.create = []() -> Task<sync::Result<PoolSlot, std::string>> { co_return PoolSlot{}; };
        named->slots = pool::Pool<PoolSlot>::create(std::move(slots), std::move(m), runtime);
    }
    return named;
}

void close_pool(NamedPool& p) {
    if (p.tcp) p.tcp->close();
    if (p.slots) p.slots->close();
}

}  // namespace

void PoolSet::start(const Handle& runtime) {
    std::lock_guard lock(mutex_);
    if (closed_ || !pools_.empty()) return;
    runtime_ = runtime;
    for (const auto& [name, c] : configs_) pools_.emplace(name, make_pool(name, c, runtime));
}

bool PoolSet::add(const std::string& name, const NamedPoolConfig& config) {
    std::lock_guard lock(mutex_);
    if (closed_ || !runtime_ || configs_.contains(name)) return false;
    configs_.emplace(name, config);
    pools_.emplace(name, make_pool(name, config, *runtime_));
    return true;
}

void PoolSet::remove(std::string_view name) {
    std::shared_ptr<NamedPool> pool;
    {
        std::lock_guard lock(mutex_);
        if (const auto it = configs_.find(name); it != configs_.end()) configs_.erase(it);
        if (const auto it = pools_.find(name); it != pools_.end()) {
            pool = std::move(it->second);
            pools_.erase(it);
        }
    }
    if (pool) close_pool(*pool);
}

std::shared_ptr<NamedPool> PoolSet::find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    const auto it = pools_.find(name);
    return it == pools_.end() ? nullptr : it->second;
}

std::string PoolSet::names() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, c] : configs_) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
}

void PoolSet::close_all() {
    std::map<std::string, std::shared_ptr<NamedPool>, std::less<>> pools;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        pools = pools_;
    }
    for (auto& [name, p] : pools) close_pool(*p);
}

std::vector<PoolReport> PoolSet::report() const {
    std::vector<PoolReport> out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, c] : configs_) {
        PoolReport r;
        r.name = name;
        r.kind = c.kind;
        r.address = c.address;
        r.stats.max_size = c.max_size;
        r.stats.min_idle = c.min_idle;
        const auto it = pools_.find(name);
        if (it != pools_.end()) {
            const NamedPool& p = *it->second;
            if (p.tcp) {
                r.stats = p.tcp->snapshot();
            } else if (p.slots) {
                r.stats = p.slots->snapshot();
                // The slots' own creates and sizes say nothing: the plugin's records do.
                r.stats.min_idle = c.min_idle;
                r.stats.idle = p.recorded_idle.load(std::memory_order_relaxed);
                r.stats.size = r.stats.in_use + r.stats.idle;
                r.stats.creates = p.recorded_creates.load(std::memory_order_relaxed);
                r.stats.create_failures =
                    p.recorded_create_failures.load(std::memory_order_relaxed);
                for (std::size_t i = 0; i < pool::kCloseReasons; ++i) {
                    if (i == static_cast<std::size_t>(pool::CloseReason::broken) ||
                        i == static_cast<std::size_t>(pool::CloseReason::shutdown))
                        continue;  // counted by the slots: discards and shutdown
                    r.stats.closes[i] = p.recorded_closes[i].load(std::memory_order_relaxed);
                }
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace weft::host
