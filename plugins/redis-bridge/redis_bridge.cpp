// redis-bridge: named channels bridged to Redis Streams, at least once, for scale-out across
// machines (DESIGN.md, "Where users outgrow one machine"). Config: bridge_config.hpp.
//
// One task per mapping: outbound.hpp (a channel into a stream) and inbound.hpp (a stream,
// through a consumer group, into a channel). Each has its own connection to Redis, built on
// weft's async streams; hiredis formats the commands and parses the replies
// (resp_connection.hpp). Unsent outbound messages are spooled at shutdown to
// "<state directory>/redis-bridge/<instance>-<stream>.spool" (spool.hpp).
//
// Stream entries: one field, "data", holding the message's bytes as they were in the channel
// ("XADD <stream> * data <bytes>"). Any program may produce entries so; entries read without a
// "data" field are logged, acknowledged and skipped.
//
// Metrics (ABI 1.3), labelled by direction, channel, stream and (inbound) group:
// redis_bridge_{sent,acknowledged,received,redelivered,claimed,spooled,reconnects,malformed}_total,
// and the gauges redis_bridge_pending and redis_bridge_consumer_group_lag.
#include <weft/plugin.hpp>

#include <memory>
#include <string>
#include <vector>

#include "bridge_config.hpp"
#include "bridge_shared.hpp"
#include "inbound.hpp"
#include "outbound.hpp"
#include "spool.hpp"

namespace {

using namespace redis_bridge;

// A file name from a stream name: letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string file_safe(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        out += ok ? c : '_';
    }
    return out.substr(0, 200);
}

class RedisBridge : public weft::Plugin {
   public:
    explicit RedisBridge(const weft::PluginContext& ctx) : Plugin(ctx) {
        shared_.host = host();
        shared_.log = log();
        shared_.shutdown = shutdown();
        shared_.metrics = weft::Metrics(host());
        shared_.instance = name();
        shared_.config = parse_bridge_config(config());
        if (!shared_.config.password_file.empty())
            shared_.password = read_password(shared_.config.password_file);
    }
    ~RedisBridge() override = default;

    static void validate(const weft::Json& config) { (void)parse_bridge_config(config); }

    void start() override {
        const std::string state = weft::state_directory(host());
        if (state.empty())
            log().warn(
                "redis-bridge: this weftd gives no state directory (ABI 1.3): messages "
                "unsent at shutdown cannot be spooled");
        for (const auto& o : shared_.config.outbound) {
            Spool spool;
            if (!state.empty())
                spool = Spool(std::filesystem::path(state) / "redis-bridge" /
                              (file_safe(name()) + "-" + file_safe(o.stream) + ".spool"));
            outbound_.push_back(std::make_unique<Outbound>(shared_, o, std::move(spool)));
        }
        for (const auto& i : shared_.config.inbound)
            inbound_.push_back(std::make_unique<Inbound>(shared_, i));
        for (auto& o : outbound_) spawn(o->run());
        for (auto& i : inbound_) spawn(i->run());
        log().info("redis-bridge: ", outbound_.size(), " outbound and ", inbound_.size(),
                   " inbound mappings with Redis at ", shared_.config.redis);
    }

   private:
    BridgeShared shared_;
    std::vector<std::unique_ptr<Outbound>> outbound_;
    std::vector<std::unique_ptr<Inbound>> inbound_;
};

}  // namespace

WEFT_PLUGIN(RedisBridge, "redis-bridge", "1.0.0")
