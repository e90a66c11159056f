// The `pools` section: named connection pools and plugin resource pools, sized by operators.
//
//   "pools": { "cache": { "kind": "tcp", "address": "127.0.0.1:6379", "max_size": 16,
//                         "min_idle": 2, "idle_timeout_ms": 60000, "max_lifetime_ms": 1800000,
//                         "acquire_timeout_ms": 2000, "connect_timeout_ms": 1000 } }
//
// What the schema cannot say is checked here too: min_idle <= max_size, and a tcp pool's address
// is "host:port" with a port of 1-65535 and a host that is a name, an IPv4 address or a bracketed
// IPv6 address ("[::1]:6379").
#include <charconv>

#include "host/config/schema.hpp"
#include "runtime/net/socket_addr.hpp"

namespace weft::host {
namespace {

inline constexpr Range kPoolSize{1, 10'000};
inline constexpr Range kMinIdle{0, 10'000};
inline constexpr Range kPoolAgeMs{0, 86'400'000};  // one day; 0: never
inline constexpr Range kAcquireTimeoutMs{1, 3'600'000};
inline constexpr Range kConnectTimeoutMs{1, 600'000};

bool is_host_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
}

// Empty when `address` is a usable "host:port", else what is wrong with it.
std::string address_problem(std::string_view address) {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos) return "expected host:port, e.g. \"127.0.0.1:6379\"";
    const std::string_view host = address.substr(0, colon);
    const std::string_view port = address.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || port[0] == '0' ||
        value < 1 || value > 65535)
        return "the port must be a number from 1 to 65535";
    if (host.empty()) return "the host is missing (expected host:port)";
    if (host.front() == '[') {
        if (!net::SocketAddr::parse(address)) return "not a valid bracketed IPv6 address";
        return {};
    }
    for (char c : host) {
        if (!is_host_char(c))
            return "the host must be a name, an IPv4 address or a bracketed IPv6 address";
    }
    if (host.front() == '-' || host.front() == '.' || host.back() == '-' || host.back() == '.')
        return "the host must not start or end with '-' or '.'";
    return {};
}

void read_pool(const Json& value, const std::string& path, Diagnostics& diag,
               NamedPoolConfig& out) {
    using Presence = ObjectReader::Presence;
    const ObjectReader r(value, path, diag,
                         {"kind", "address", "max_size", "min_idle", "idle_timeout_ms",
                          "max_lifetime_ms", "acquire_timeout_ms", "connect_timeout_ms"});
    if (!r.is_object()) return;
    assign_if(out.kind, r.choice<PoolKind>("kind", kPoolKindNames, Presence::required));
    const auto max_size = r.integer("max_size", kPoolSize.min, kPoolSize.max);
    const auto min_idle = r.integer("min_idle", kMinIdle.min, kMinIdle.max);
    assign_if(out.max_size, max_size);
    assign_if(out.min_idle, min_idle);
    if (out.min_idle > out.max_size) {
        diag.error(r.path_of("min_idle"),
                   fmt::format("{} is more than max_size ({}): min_idle must not exceed max_size",
                               out.min_idle, out.max_size));
    }
    assign_if(out.idle_timeout_ms, r.integer("idle_timeout_ms", kPoolAgeMs.min, kPoolAgeMs.max));
    assign_if(out.max_lifetime_ms, r.integer("max_lifetime_ms", kPoolAgeMs.min, kPoolAgeMs.max));
    assign_if(out.acquire_timeout_ms,
              r.integer("acquire_timeout_ms", kAcquireTimeoutMs.min, kAcquireTimeoutMs.max));
    if (out.kind == PoolKind::tcp) {
        assign_if(out.connect_timeout_ms,
                  r.integer("connect_timeout_ms", kConnectTimeoutMs.min, kConnectTimeoutMs.max));
        if (auto address = r.string("address", Presence::required)) {
            if (const std::string problem = address_problem(*address); !problem.empty()) {
                diag.error(r.path_of("address"),
                           fmt::format("invalid address \"{}\": {}", *address, problem));
            } else {
                out.address = *address;
            }
        }
        return;
    }
    // A resource pool holds what its plugin creates: an address would be silently ignored.
    for (const char* key : {"address", "connect_timeout_ms"}) {
        if (r.find(key) != nullptr)
            diag.error(r.path_of(key),
                       "only for a tcp pool (a resource pool's plugin creates "
                       "its resources)");
    }
}

}  // namespace

std::string_view to_string(PoolKind value) noexcept {
    return name_of<PoolKind>(kPoolKindNames, value);
}

void read_pools_section(const Json& value, const std::string& path, Diagnostics& diag,
                        Config& out) {
    if (!expect_type(value, Json::value_t::object, path, diag)) return;
    for (const auto& [name, pool] : value.items()) {
        const std::string pool_path = child_path(path, name);
        const bool name_ok = is_object_name(name);
        if (!name_ok) diag.error(pool_path, "invalid name: use letters, digits, '_', '-' and '.'");
        NamedPoolConfig config;
        read_pool(pool, pool_path, diag, config);
        if (name_ok) out.pools.emplace(name, config);
    }
}

}  // namespace weft::host
