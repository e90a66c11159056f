// The config file's schema, as code: which keys each object may hold, their types and ranges.
// config/weftd.schema.json documents the same rules for editors and operators; keep them in step.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "host/config/config.hpp"
#include "host/config/json_reader.hpp"
#include "runtime/limits.hpp"

namespace weft::host {

struct Range {
    std::int64_t min;
    std::int64_t max;
};

// sockaddr_un::sun_path holds 108 bytes including the terminating NUL.
inline constexpr std::size_t kMaxSocketPath = 107;
// The runtime section's ranges are the runtime's own (runtime/limits.hpp).
inline constexpr Range kWorkerThreads{1, limits::kMaxWorkerThreads};
inline constexpr Range kMaxBlockingThreads{1, limits::kMaxBlockingThreads};
inline constexpr Range kThreadKeepAliveMs{1, limits::kMaxThreadKeepAlive.count()};
inline constexpr Range kQueueInterval{
    1, limits::kMaxQueueInterval};  // global_queue_interval, event_interval
inline constexpr Range kBudget{1, limits::kMaxBudget};
inline constexpr Range kShutdownMs{0, 3'600'000};  // one hour
inline constexpr Range kLongPollThresholdMs{0, limits::kMaxLongPollThreshold.count()};
inline constexpr Range kHookTimeoutMs{1, 3'600'000};
inline constexpr Range kMaxCrashes{0, 1'000};
inline constexpr Range kCrashWindowMinutes{1, 10'080};  // one week
inline constexpr Range kChannelCapacity{1, 1 << 24};
inline constexpr Range kSemaphorePermits{0, 1 << 30};
inline constexpr Range kPriority{-1000, 1000};
inline constexpr Range kIntervalMs{1, 31'536'000'000};   // one year
inline constexpr Range kOnceAfterMs{0, 31'536'000'000};  // one year

// Validates the whole document; every problem goes to `diag`. The returned Config holds whatever
// was valid (defaults elsewhere) and is meaningful only when no error was reported.
[[nodiscard]] Config read_config_document(const Json& root, Diagnostics& diag);

// One reader per top-level section (schema_*.cpp). `path` is the section's JSON path.
void read_runtime_section(const Json& value, const std::string& path, Diagnostics& diag,
                          RuntimeConfig& out);
void read_shutdown_section(const Json& value, const std::string& path, Diagnostics& diag,
                           ShutdownConfig& out);
void read_crash_loop_section(const Json& value, const std::string& path, Diagnostics& diag,
                             CrashLoopConfig& out);
void read_log_section(const Json& value, const std::string& path, Diagnostics& diag,
                      LogConfig& out);
void read_admin_section(const Json& value, const std::string& path, Diagnostics& diag,
                        AdminConfig& out);
void read_channels_section(const Json& value, const std::string& path, Diagnostics& diag,
                           Config& out);
void read_semaphores_section(const Json& value, const std::string& path, Diagnostics& diag,
                             Config& out);
// Named pools (schema_pools.cpp): limits, timeouts, addresses, min_idle <= max_size.
void read_pools_section(const Json& value, const std::string& path, Diagnostics& diag, Config& out);
// Name -> JSON path of the entry that first used it; finds duplicate names.
using NameIndex = std::map<std::string, std::string, std::less<>>;

// Records `name` as used by the entry at `entry_path`. If an earlier entry used it, reports
// "<entry_path>/name: duplicate <what> name ..." and returns false.
bool claim_name(NameIndex& index, const std::string& name, const std::string& entry_path,
                std::string_view what, Diagnostics& diag);

// Returns every plugin name the section declares, including those of entries with other errors,
// so that jobs naming them do not get a second, misleading error.
NameIndex read_plugins_section(const Json& value, const std::string& path, Diagnostics& diag,
                               Config& out);
// Each job must name a declared plugin.
void read_jobs_section(const Json& value, const std::string& path, Diagnostics& diag,
                       const NameIndex& plugin_names, Config& out);

// Names of plugins: [A-Za-z0-9_-]+. Channels, semaphores and jobs also allow '.'.
[[nodiscard]] bool is_plugin_name(std::string_view name) noexcept;
[[nodiscard]] bool is_object_name(std::string_view name) noexcept;

}  // namespace weft::host
