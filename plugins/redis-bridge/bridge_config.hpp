// The redis-bridge plugin's config, parsed and checked in one place: the validate hook (so that
// `weftd check-config` reports a mistake) and init both go through parse_bridge_config.
//
//   {"redis": "127.0.0.1:6379",            // host:port, or "unix:/path/to/redis.sock"
//    "password_file": "/etc/weft/redis.pw", // optional; its first line is sent with AUTH
//    "username": "weft",                    // optional; AUTH username password (Redis 6 ACLs)
//    "outbound": [{"channel": "events", "kind": "mpsc", "capacity": 1024,
//                  "stream": "weft:events", "maxlen": 1000000, "batch": 256}],
//    "inbound":  [{"stream": "weft:events", "group": "workers", "consumer": "host-a",
//                  "channel": "work", "kind": "mpsc", "capacity": 1024,
//                  "batch": 256, "block_ms": 500, "claim_idle_ms": 30000, "from": "start"}],
//    "connect_timeout_ms": 2000, "reply_timeout_ms": 5000, "backoff_ms": 100,
//    "max_backoff_ms": 5000,
//    "stats_interval_ms": 1000}
//
// Every error names the offending member by its JSON pointer within the plugin's config
// ("/inbound/0/group: missing"), so the operator finds it at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <weft/plugin.hpp>

namespace redis_bridge {

struct OutboundConfig {
    std::string channel;
    weft::ChannelKind kind = weft::ChannelKind::mpsc;
    std::uint32_t capacity = 1024;
    std::string stream;
    std::uint64_t maxlen = 0;  // 0: no trimming; else XADD MAXLEN ~ maxlen
    std::uint32_t batch = 256;
};

struct InboundConfig {
    std::string stream;
    std::string group;
    std::string consumer;  // filled with default_consumer_name() when the config has none
    std::string channel;
    weft::ChannelKind kind = weft::ChannelKind::mpsc;
    std::uint32_t capacity = 1024;
    std::uint32_t batch = 256;
    std::int64_t block_ms = 500;
    std::int64_t claim_idle_ms = 30'000;
    bool from_start = true;  // "from": "start" (a new group reads the whole stream) or "new"
};

struct BridgeConfig {
    std::string redis;  // "host:port" or "unix:/path"
    std::string password_file;
    std::string username;
    std::vector<OutboundConfig> outbound;
    std::vector<InboundConfig> inbound;
    std::int64_t connect_timeout_ms = 2000;
    // The longest Redis may take to take a command and answer it (beyond an XREADGROUP's BLOCK):
    // a server that accepts and then stalls is an outage like one that refuses.
    std::int64_t reply_timeout_ms = 5000;
    std::int64_t backoff_ms = 100;
    std::int64_t max_backoff_ms = 5000;
    std::int64_t stats_interval_ms = 1000;
};

// Parses and checks `config`; throws weft::ConfigError naming the JSON pointer of the first
// mistake. Reads the password file (only to check that it can be read and is not empty).
[[nodiscard]] BridgeConfig parse_bridge_config(const weft::Json& config);

// The password: the first line of `path`, without its line end. Throws weft::ConfigError.
[[nodiscard]] std::string read_password(const std::string& path);

// "weft-<host name>-<plugin instance name>": the same across restarts of this weftd (not the
// pid), so a restarted consumer finds its own pending entries again.
[[nodiscard]] std::string default_consumer_name(const std::string& instance);

// A Unix socket address ("unix:/run/redis.sock") or a TCP one ("127.0.0.1:6379").
[[nodiscard]] bool is_unix_address(const std::string& address) noexcept;

}  // namespace redis_bridge
