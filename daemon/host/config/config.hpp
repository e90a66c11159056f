// weftd's configuration: the typed image of the JSON file described in DESIGN.md and documented by
// config/weftd.schema.json.
//
// Every member has the default the file's documentation promises, so a missing section or key
// means "the default". Loading never throws: load_config() and parse_config() collect every error
// (unknown key, wrong type, out-of-range value, bad reference) and return them all at once, each
// prefixed with the file name and the JSON path, so an operator fixes a file in one pass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/config/cron.hpp"
#include "runtime/config.hpp"

namespace weft::host {

// The runtime's own flavor type: the config names it "multi_thread" / "current_thread" (names.hpp).
using Flavor = weft::Flavor;
enum class LogLevel { trace, debug, info, warn, error, critical, off };
enum class LogFormat { text, json };
enum class LogTarget { stderr_stream, journald };
enum class ChannelKind { mpsc, mpmc, broadcast, watch };
enum class Overlap { skip, queue };
enum class PoolKind { tcp, resource };
enum class PollClockChoice { coarse, precise };

struct RuntimeConfig {
    Flavor flavor = Flavor::multi_thread;
    // Empty means one worker per CPU, as Tokio does.
    std::optional<std::uint32_t> worker_threads;
    std::uint32_t max_blocking_threads = 512;
    std::uint32_t thread_keep_alive_ms = 10'000;
    std::uint32_t global_queue_interval = 31;
    std::uint32_t event_interval = 61;
    std::uint32_t budget = 128;
    bool lifo_slot = true;
    // A poll running longer than this is logged while it runs and when it ends; 0: never.
    std::uint32_t long_poll_threshold_ms = 100;
    // The clock that times every poll (runtime/metrics/long_poll.hpp): coarse is cheap.
    PollClockChoice poll_clock = PollClockChoice::coarse;
};

struct ShutdownConfig {
    std::uint32_t grace_period_ms = 5'000;
    std::uint32_t blocking_timeout_ms = 2'000;
    // How long one plugin hook (init, start, stop, destroy, validate) may run before it is
    // abandoned and the sequence goes on.
    std::uint32_t hook_timeout_ms = 5'000;
};

// Crash-loop protection (host/crash/crash_record.hpp): a plugin that crashed weftd max_crashes
// times within window_minutes is not started (quarantined); 0 turns it off.
struct CrashLoopConfig {
    std::uint32_t max_crashes = 3;
    std::uint32_t window_minutes = 10;
    // Unset: $STATE_DIRECTORY (systemd's StateDirectory=weft), else /var/lib/weft.
    std::optional<std::string> state_directory;
};

struct LogConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::text;
    LogTarget target = LogTarget::stderr_stream;
};

// A loopback TCP endpoint for the admin server, from "127.0.0.1:9090".
struct TcpEndpoint {
    std::string host;
    std::uint16_t port = 0;
};

struct AdminConfig {
    std::string socket = "/run/weft/admin.sock";
    std::optional<TcpEndpoint> tcp;
};

struct ChannelConfig {
    ChannelKind kind = ChannelKind::mpsc;
    // Always set except for watch channels, which hold one value.
    std::optional<std::uint32_t> capacity;
};

// A named pool (DESIGN.md "Resource pools"): `tcp` pools connect to `address`; `resource` pools
// hold a plugin's own resources (the SDK's generic pool) and only take their limits from here.
// Durations are milliseconds; 0 turns idle_timeout and max_lifetime off.
struct NamedPoolConfig {
    PoolKind kind = PoolKind::tcp;
    std::string address;  // tcp only: "host:port"
    std::uint32_t max_size = 10;
    std::uint32_t min_idle = 0;
    std::uint32_t idle_timeout_ms = 600'000;
    std::uint32_t max_lifetime_ms = 1'800'000;
    std::uint32_t acquire_timeout_ms = 30'000;
    std::uint32_t connect_timeout_ms = 10'000;  // tcp only
};

struct PluginConfig {
    std::string name;
    // As written; a relative path is looked up in the plugin directory.
    std::string path;
    // Handed to the plugin's init hook as JSON text; any JSON value.
    nlohmann::json config = nlohmann::json::object();
    bool enabled = true;
};

struct IntervalSchedule {
    std::uint64_t interval_ms = 0;
};
struct CronJobSchedule {
    std::string expression;
    CronSchedule schedule;
};
struct OnceAfterSchedule {
    std::uint64_t delay_ms = 0;
};
using JobSchedule = std::variant<IntervalSchedule, CronJobSchedule, OnceAfterSchedule>;

struct JobConfig {
    std::string name;
    std::string plugin;  // names an entry of Config::plugins
    std::string task;    // a task function the plugin registers
    JobSchedule schedule;
    int priority = 0;  // higher starts first when several jobs are due together
    Overlap overlap = Overlap::skip;
};

struct Config {
    RuntimeConfig runtime;
    ShutdownConfig shutdown;
    CrashLoopConfig crash_loop;
    LogConfig log;
    AdminConfig admin;
    std::map<std::string, ChannelConfig, std::less<>> channels;
    std::map<std::string, std::uint32_t, std::less<>> semaphores;
    std::map<std::string, NamedPoolConfig, std::less<>> pools;
    std::vector<PluginConfig> plugins;  // in file order: loaded in order, unloaded in reverse
    std::vector<JobConfig> jobs;
};

struct ConfigResult {
    std::optional<Config> config;  // set exactly when `errors` is empty
    // "<file>: <json path>: <message>", or "environment: WEFT_...: <message>" for an override.
    std::vector<std::string> errors;
    [[nodiscard]] bool ok() const noexcept { return config.has_value(); }
};

// Reads an environment variable; empty optional when unset. Injectable so tests need no setenv.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
[[nodiscard]] EnvLookup process_environment();

// Reads, parses and validates the file, then applies the WEFT_* environment overrides
// (WEFT_WORKER_THREADS, WEFT_MAX_BLOCKING_THREADS, WEFT_FLAVOR, WEFT_LOG_LEVEL, WEFT_ADMIN_SOCKET;
// an empty value counts as unset). Error messages start with the path as given.
[[nodiscard]] ConfigResult load_config(const std::filesystem::path& file,
                                       const EnvLookup& env = process_environment());

// The same from text; `origin` names the source in error messages.
[[nodiscard]] ConfigResult parse_config(std::string_view text, std::string_view origin,
                                        const EnvLookup& env = process_environment());

// Names as written in the file ("multi_thread", "stderr", ...).
[[nodiscard]] std::string_view to_string(Flavor value) noexcept;
[[nodiscard]] std::string_view to_string(LogLevel value) noexcept;
[[nodiscard]] std::string_view to_string(LogFormat value) noexcept;
[[nodiscard]] std::string_view to_string(LogTarget value) noexcept;
[[nodiscard]] std::string_view to_string(ChannelKind value) noexcept;
[[nodiscard]] std::string_view to_string(Overlap value) noexcept;
[[nodiscard]] std::string_view to_string(PoolKind value) noexcept;

}  // namespace weft::host
