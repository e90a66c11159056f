// The scalar sections: runtime, shutdown, log and admin.
#include <arpa/inet.h>

#include <charconv>
#include <string>

#include "host/config/schema.hpp"

namespace weft::host {
namespace {

using Presence = ObjectReader::Presence;

std::optional<std::int64_t> read_in(const ObjectReader& reader, std::string_view key, Range range) {
    return reader.integer(key, range.min, range.max);
}

// Loopback only: the admin endpoint serves internals and has no authentication.
bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "[::1]") return true;
    in_addr address{};
    const std::string text(host);  // inet_pton needs a NUL-terminated string
    return inet_pton(AF_INET, text.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

// "127.0.0.1:9090" -> {host, port}; empty on any syntax or range problem.
std::optional<TcpEndpoint> parse_tcp_endpoint(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    const auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    // No leading zero, as the schema's pattern says ("080" is a typo more often than 80).
    if (port_text.empty() || port_text.front() == '0' || ec != std::errc{} || ptr != end ||
        port < 1 || port > 65535) {
        return std::nullopt;
    }
    if (!is_loopback_host(host)) return std::nullopt;
    return TcpEndpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace

void read_runtime_section(const Json& value, const std::string& path, Diagnostics& diag,
                          RuntimeConfig& out) {
    const ObjectReader r(value, path, diag,
                         {"flavor", "worker_threads", "max_blocking_threads",
                          "thread_keep_alive_ms", "global_queue_interval", "event_interval",
                          "budget", "lifo_slot", "long_poll_threshold_ms", "poll_clock"});
    assign_if(out.flavor, r.choice<Flavor>("flavor", kFlavorNames));
    if (auto workers = read_in(r, "worker_threads", kWorkerThreads)) {
        out.worker_threads = static_cast<std::uint32_t>(*workers);
    }
    assign_if(out.max_blocking_threads, read_in(r, "max_blocking_threads", kMaxBlockingThreads));
    assign_if(out.thread_keep_alive_ms, read_in(r, "thread_keep_alive_ms", kThreadKeepAliveMs));
    assign_if(out.global_queue_interval, read_in(r, "global_queue_interval", kQueueInterval));
    assign_if(out.event_interval, read_in(r, "event_interval", kQueueInterval));
    assign_if(out.budget, read_in(r, "budget", kBudget));
    assign_if(out.lifo_slot, r.boolean("lifo_slot"));
    assign_if(out.long_poll_threshold_ms,
              read_in(r, "long_poll_threshold_ms", kLongPollThresholdMs));
    assign_if(out.poll_clock, r.choice<PollClockChoice>("poll_clock", kPollClockNames));
}

void read_shutdown_section(const Json& value, const std::string& path, Diagnostics& diag,
                           ShutdownConfig& out) {
    const ObjectReader r(value, path, diag,
                         {"grace_period_ms", "blocking_timeout_ms", "hook_timeout_ms"});
    assign_if(out.grace_period_ms, read_in(r, "grace_period_ms", kShutdownMs));
    assign_if(out.blocking_timeout_ms, read_in(r, "blocking_timeout_ms", kShutdownMs));
    assign_if(out.hook_timeout_ms, read_in(r, "hook_timeout_ms", kHookTimeoutMs));
}

void read_crash_loop_section(const Json& value, const std::string& path, Diagnostics& diag,
                             CrashLoopConfig& out) {
    const ObjectReader r(value, path, diag, {"max_crashes", "window_minutes", "state_directory"});
    assign_if(out.max_crashes, read_in(r, "max_crashes", kMaxCrashes));
    assign_if(out.window_minutes, read_in(r, "window_minutes", kCrashWindowMinutes));
    if (auto dir = r.string("state_directory")) {
        if (dir->empty() || dir->front() != '/') {
            diag.error(r.path_of("state_directory"),
                       fmt::format("must be an absolute path, got \"{}\"", *dir));
        } else {
            out.state_directory = std::move(*dir);
        }
    }
}

void read_log_section(const Json& value, const std::string& path, Diagnostics& diag,
                      LogConfig& out) {
    const ObjectReader r(value, path, diag, {"level", "format", "target"});
    assign_if(out.level, r.choice<LogLevel>("level", kLogLevelNames));
    assign_if(out.format, r.choice<LogFormat>("format", kLogFormatNames));
    assign_if(out.target, r.choice<LogTarget>("target", kLogTargetNames));
}

void read_admin_section(const Json& value, const std::string& path, Diagnostics& diag,
                        AdminConfig& out) {
    const ObjectReader r(value, path, diag, {"socket", "tcp"});
    if (auto socket = r.string("socket")) {
        if (socket->size() > kMaxSocketPath) {
            diag.error(r.path_of("socket"),
                       fmt::format("must be at most {} bytes (a Unix socket path), got {}",
                                   kMaxSocketPath, socket->size()));
        } else {
            out.socket = std::move(*socket);
        }
    }
    if (auto tcp = r.string("tcp")) {
        if (auto endpoint = parse_tcp_endpoint(*tcp)) {
            out.tcp = std::move(*endpoint);
        } else {
            diag.error(r.path_of("tcp"),
                       fmt::format("must be a loopback \"HOST:PORT\" such as \"127.0.0.1:9090\" "
                                   "(HOST 127.x.x.x, localhost or [::1]; PORT 1-65535), got \"{}\"",
                                   *tcp));
        }
    }
}

}  // namespace weft::host
