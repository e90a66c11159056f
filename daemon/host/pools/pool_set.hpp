// PoolSet: the named pools of the config's `pools` section, as registry objects plugins open by
// name (plugin.h 6.14) and the admin endpoint reports.
//
// A tcp pool is a weft::pool::TcpPool to its address. A resource pool is a pool of slots: the
// plugin's SDK keeps its own resources in them (weft/sdk/pool.hpp), so the host serves the line
// (FIFO waiters, acquire_timeout, in use, waiters, acquire wait) and the plugin reports what only
// it sees (creates, create failures, idle and age closes) through weft_pool_record.
//
// Life: built from the config with the registry; start() makes the pools on the runtime (tcp
// pools begin keeping min_idle connections warm); close_all() at shutdown closes idle
// connections at once and every acquired one when it is given back. Create failures are logged
// once per burst through the default logger ("pool 'cache': cannot create a resource: connect
// 127.0.0.1:6379: connection refused (retrying with backoff; ...)").
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "runtime/handle.hpp"
#include "runtime/pool/tcp_pool.hpp"

namespace weft::host {

// A resource pool's slot: the plugin's resource lives on the plugin's side.
struct PoolSlot {};

struct NamedPool {
    std::string name;
    NamedPoolConfig config;
    std::shared_ptr<pool::TcpPool> tcp;           // kind tcp
    std::shared_ptr<pool::Pool<PoolSlot>> slots;  // kind resource
    // Reported by a resource pool's plugin (weft_pool_record).
    std::atomic<std::uint64_t> recorded_creates{0};
    std::atomic<std::uint64_t> recorded_create_failures{0};
    std::atomic<std::uint64_t> recorded_idle{0};
    std::array<std::atomic<std::uint64_t>, pool::kCloseReasons> recorded_closes{};
};

struct PoolReport {
    std::string name;
    PoolKind kind = PoolKind::tcp;
    std::string address;  // tcp only
    pool::PoolSnapshot stats;
};

// The runtime's pool limits from a config entry (durations in ms; 0 = none).
[[nodiscard]] pool::PoolConfig runtime_config_of(const std::string& name, const NamedPoolConfig& c);

class PoolSet {
   public:
    explicit PoolSet(std::map<std::string, NamedPoolConfig, std::less<>> configs);
    ~PoolSet();
    PoolSet(const PoolSet&) = delete;
    PoolSet& operator=(const PoolSet&) = delete;

    // Makes every pool on `runtime`. Idempotent.
    void start(const Handle& runtime);
    // A live reload: adds a pool declared since (false if the set is closed, not started, or
    // already has one by that name), or removes one: it is closed at once (idle resources go;
    // those acquired are closed when given back) and new opens no longer find it; a plugin
    // handle keeps its pool object alive.
    bool add(const std::string& name, const NamedPoolConfig& config);
    void remove(std::string_view name);
    // The pool called `name`, or null (not declared, or not started).
    [[nodiscard]] std::shared_ptr<NamedPool> find(std::string_view name) const;
    // "cache, search" (for "no pool 'x'; declared: ..."), or "none".
    [[nodiscard]] std::string names() const;
    void close_all();
    [[nodiscard]] std::vector<PoolReport> report() const;

   private:
    mutable std::mutex mutex_;
    std::map<std::string, NamedPoolConfig, std::less<>> configs_;
    std::map<std::string, std::shared_ptr<NamedPool>, std::less<>> pools_;
    bool closed_ = false;
    std::optional<Handle> runtime_;  // from start()
};

}  // namespace weft::host
