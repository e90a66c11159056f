// What every mapping task of one redis-bridge instance shares: the parsed config, the password,
// the host's logger, metrics and shutdown token. Immutable once the plugin started.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>

#include <weft/plugin.hpp>

#include "bridge_config.hpp"
#include "resp_connection.hpp"

namespace redis_bridge {

struct BridgeShared {
    weft::Host host;
    weft::Logger log;
    weft::ShutdownToken shutdown;
    weft::Metrics metrics;
    std::string instance;  // the plugin's instance name in weftd.json
    BridgeConfig config;
    std::string password;

    [[nodiscard]] weft::Task<RespConnection> connect() const {
        return RespConnection::open(
            config.redis, std::chrono::milliseconds(config.connect_timeout_ms),
            std::chrono::milliseconds(config.reply_timeout_ms), config.username, password);
    }
};

// The backoff between attempts while Redis is unreachable: doubles from backoff_ms up to
// max_backoff_ms, back to backoff_ms after a success.
class Backoff {
   public:
    explicit Backoff(const BridgeConfig& c) : first_(c.backoff_ms), max_(c.max_backoff_ms) {}
    [[nodiscard]] std::chrono::milliseconds next() {
        const auto now = std::chrono::milliseconds(current_ == 0 ? first_ : current_);
        current_ = std::min(max_, (current_ == 0 ? first_ : current_) * 2);
        return now;
    }
    void reset() noexcept { current_ = 0; }

   private:
    std::int64_t first_;
    std::int64_t max_;
    std::int64_t current_ = 0;
};

}  // namespace redis_bridge
