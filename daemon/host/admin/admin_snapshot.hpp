// AdminSnapshot: everything the admin endpoint reports, read once per request.
//
// The renderers (metrics_text.hpp, status_json.hpp) take a snapshot rather than the live objects,
// so one request reads each source once and tests render snapshots they build by hand.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "host/daemon/coordinator.hpp"
#include "host/daemon/reload_outcome.hpp"
#include "host/jobs/job_summary.hpp"
#include "host/registry/registry.hpp"
#include "runtime/metrics/metrics.hpp"

namespace weft::host::admin {

struct AdminSnapshot {
    std::string version;
    long pid = 0;
    double uptime_seconds = 0;
    bool shutting_down = false;
    // The longest a shutdown after SIGTERM takes with this config (host/daemon/coordinator.hpp).
    std::uint64_t shutdown_bound_ms = 0;
    RuntimeMetrics runtime;
    std::vector<PluginSummary> plugins;
    std::vector<JobSummary> jobs;
    std::vector<ChannelReport> channels;
    std::vector<PoolReport> pools;
    // The last live reload's outcome; none before the first.
    std::optional<ReloadOutcome> last_reload;
};

// Reads the runtime's metrics, the plugins, the jobs and the registry's channels through their
// thread-safe accessors: callable from any thread (the admin server's) while the daemon runs,
// including during the coordinator's shutdown. Each part is consistent in itself, not with the
// others (no lock is held across them; reading never stops the daemon).
[[nodiscard]] AdminSnapshot take_snapshot(const Handle& runtime, const Coordinator& host,
                                          std::chrono::steady_clock::time_point started,
                                          bool shutting_down);

}  // namespace weft::host::admin
