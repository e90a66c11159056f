// Parsing of the redis-bridge config: see bridge_config.hpp for its shape.
#include "bridge_config.hpp"

#include <unistd.h>

#include <array>
#include <fstream>
#include <limits>
#include <set>
#include <string_view>

namespace redis_bridge {
namespace {

using weft::ConfigError;
using weft::Json;

[[noreturn]] void fail(const std::string& pointer, const std::string& what) {
    throw ConfigError((pointer.empty() ? std::string("the config") : pointer) + ": " + what);
}

// Rejects members the bridge does not know (a typo would otherwise be silently ignored).
void check_keys(const Json& object, const std::string& pointer,
                std::initializer_list<std::string_view> known) {
    if (!object.is_object()) fail(pointer.empty() ? "/" : pointer, "must be an object");
    for (const auto& [key, value] : object.as_object()) {
        bool found = false;
        for (auto k : known) found |= k == key;
        if (!found) {
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            fail(pointer + "/" + key, "unknown member (known: " + list + ")");
        }
    }
}

std::string string_member(const Json& object, const std::string& pointer, std::string_view key,
                          const char* fallback, bool required) {
    const std::string at = pointer + "/" + std::string(key);
    if (!object.contains(key) || object[key].is_null()) {
        if (required) fail(at, "missing (a non-empty string is required)");
        return fallback;
    }
    if (object[key].type() != Json::Type::string) fail(at, "must be a string");
    const std::string value = object[key].as_string();
    if (value.empty()) fail(at, "must not be empty");
    if (value.find('\0') != std::string::npos) fail(at, "must not contain a NUL character");
    return value;
}

std::int64_t int_member(const Json& object, const std::string& pointer, std::string_view key,
                        std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const std::string at = pointer + "/" + std::string(key);
    if (!object.contains(key) || object[key].is_null()) return fallback;
    std::int64_t v = 0;
    try {
        v = object[key].as<std::int64_t>();
    } catch (const ConfigError& e) {
        fail(at, e.what());
    }
    if (v < min || v > max)
        fail(at, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(v));
    return v;
}

// Only the kinds that keep a message until one receiver took it: the bridge's guarantee is at
// least once, which a broadcast (a slow receiver lags and loses) or a watch (keeps the latest
// only) channel cannot give.
weft::ChannelKind kind_member(const Json& object, const std::string& pointer,
                              const char* direction) {
    const std::string kind = string_member(object, pointer, "kind", "mpsc", false);
    if (kind == "mpsc") return weft::ChannelKind::mpsc;
    if (kind == "mpmc") return weft::ChannelKind::mpmc;
    fail(pointer + "/kind", "channel kind \"" + kind + "\" cannot be used for an " + direction +
                                " mapping (use \"mpsc\" or \"mpmc\": a " + kind +
                                " channel does not hold each message until it is taken)");
}

void check_stream_name(const std::string& stream, const std::string& at) {
    if (stream.size() > 1024) fail(at, "a stream name of more than 1024 bytes");
}

}  // namespace

bool is_unix_address(const std::string& address) noexcept { return address.starts_with("unix:"); }

std::string read_password(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("/password_file", "cannot read \"" + path + "\"");
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty())
        fail("/password_file", "\"" + path + "\" is empty (its first line is the password)");
    return line;
}

std::string default_consumer_name(const std::string& instance) {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0) host = {'l', 'o', 'c', 'a', 'l'};
    return "weft-" + std::string(host.data()) + "-" + instance;
}

BridgeConfig parse_bridge_config(const Json& config) {
    check_keys(config, "",
               {"redis", "password_file", "username", "outbound", "inbound", "connect_timeout_ms",
                "reply_timeout_ms", "backoff_ms", "max_backoff_ms", "stats_interval_ms"});
    BridgeConfig c;
    c.redis = string_member(config, "", "redis", "127.0.0.1:6379", false);
    if (is_unix_address(c.redis)) {
        if (c.redis.size() <= 5 || c.redis[5] != '/')
            fail("/redis", "\"" + c.redis + "\": a Unix socket is \"unix:\" and an absolute path");
    } else {
        const auto colon = c.redis.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == c.redis.size())
            fail("/redis", "\"" + c.redis + "\" is neither host:port nor unix:/path");
        const std::string port = c.redis.substr(colon + 1);
        if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
            std::stoi(port) < 1 || std::stoi(port) > 65535)
            fail("/redis", "\"" + c.redis + "\": the port must be a number from 1 to 65535");
    }
    c.password_file = string_member(config, "", "password_file", "", false);
    if (!c.password_file.empty()) (void)read_password(c.password_file);
    c.username = string_member(config, "", "username", "", false);
    if (!c.username.empty() && c.password_file.empty())
        fail("/username", "a username needs a \"password_file\"");
    c.connect_timeout_ms = int_member(config, "", "connect_timeout_ms", 2000, 1, 3'600'000);
    c.reply_timeout_ms = int_member(config, "", "reply_timeout_ms", 5000, 1, 3'600'000);
    c.backoff_ms = int_member(config, "", "backoff_ms", 100, 1, 3'600'000);
    c.max_backoff_ms = int_member(config, "", "max_backoff_ms", 5000, 1, 3'600'000);
    if (c.max_backoff_ms < c.backoff_ms)
        fail("/max_backoff_ms",
             "must be at least \"backoff_ms\" (" + std::to_string(c.backoff_ms) + ")");
    c.stats_interval_ms = int_member(config, "", "stats_interval_ms", 1000, 10, 3'600'000);

    constexpr std::size_t kMaxMappings = 256;
    std::set<std::string> outbound_channels;
    if (config.contains("outbound") && !config["outbound"].is_null()) {
        if (config["outbound"].type() != Json::Type::array)
            fail("/outbound", "must be an array of mappings");
        const auto& list = config["outbound"].as_array();
        if (list.size() > kMaxMappings)
            fail("/outbound", "more than " + std::to_string(kMaxMappings) + " mappings");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "/outbound/" + std::to_string(i);
            const Json& m = list[i];
            check_keys(m, at, {"channel", "kind", "capacity", "stream", "maxlen", "batch"});
            OutboundConfig o;
            o.channel = string_member(m, at, "channel", "", true);
            o.kind = kind_member(m, at, "outbound");
            o.capacity =
                static_cast<std::uint32_t>(int_member(m, at, "capacity", 1024, 1, 1'000'000));
            o.stream = string_member(m, at, "stream", "", true);
            check_stream_name(o.stream, at + "/stream");
            o.maxlen = static_cast<std::uint64_t>(
                int_member(m, at, "maxlen", 0, 0, std::numeric_limits<std::int64_t>::max()));
            o.batch = static_cast<std::uint32_t>(int_member(m, at, "batch", 256, 1, 10'000));
            if (!outbound_channels.insert(o.channel).second)
                fail(at + "/channel", "channel \"" + o.channel +
                                          "\" is already bridged by an earlier outbound mapping "
                                          "(one receiver per channel)");
            c.outbound.push_back(std::move(o));
        }
    }
    if (config.contains("inbound") && !config["inbound"].is_null()) {
        if (config["inbound"].type() != Json::Type::array)
            fail("/inbound", "must be an array of mappings");
        const auto& list = config["inbound"].as_array();
        if (list.size() > kMaxMappings)
            fail("/inbound", "more than " + std::to_string(kMaxMappings) + " mappings");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "/inbound/" + std::to_string(i);
            const Json& m = list[i];
            check_keys(m, at,
                       {"stream", "group", "consumer", "channel", "kind", "capacity", "batch",
                        "block_ms", "claim_idle_ms", "from"});
            InboundConfig in;
            in.stream = string_member(m, at, "stream", "", true);
            check_stream_name(in.stream, at + "/stream");
            in.group = string_member(m, at, "group", "", true);
            in.consumer = string_member(m, at, "consumer", "", false);
            in.channel = string_member(m, at, "channel", "", true);
            in.kind = kind_member(m, at, "inbound");
            in.capacity =
                static_cast<std::uint32_t>(int_member(m, at, "capacity", 1024, 1, 1'000'000));
            in.batch = static_cast<std::uint32_t>(int_member(m, at, "batch", 256, 1, 10'000));
            in.block_ms = int_member(m, at, "block_ms", 500, 1, 60'000);
            in.claim_idle_ms = int_member(m, at, "claim_idle_ms", 30'000, 1, 86'400'000);
            const std::string from = string_member(m, at, "from", "start", false);
            if (from != "start" && from != "new")
                fail(at + "/from", "\"" + from +
                                       "\" is neither \"start\" (a new group reads the whole "
                                       "stream) nor \"new\" (only entries added from then on)");
            in.from_start = from == "start";
            if (outbound_channels.contains(in.channel))
                fail(at + "/channel", "channel \"" + in.channel +
                                          "\" is also an outbound mapping's: the bridge would "
                                          "send its own messages back to Redis");
            c.inbound.push_back(std::move(in));
        }
    }
    if (c.outbound.empty() && c.inbound.empty())
        fail("", "no mapping: give \"outbound\" or \"inbound\" at least one entry");
    return c;
}

}  // namespace redis_bridge
