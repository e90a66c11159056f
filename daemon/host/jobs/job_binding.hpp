// Binding configured jobs to what plugins registered: each job's plugin must be running and must
// have registered the job's task function (plugin.h 6.10). A job that cannot be bound keeps the
// reason, which the scheduler logs as one error naming the job, the plugin and the task; the
// other jobs are scheduled regardless.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "host/plugin/job_registrations.hpp"

namespace weft::host {

class PluginInstance;

struct JobBinding {
    JobConfig config;
    PluginInstance* plugin = nullptr;  // null when unbound; outlives the scheduler's thread
    JobFunction function;
    std::string problem;  // why it is unbound; empty when bound
    [[nodiscard]] bool bound() const noexcept { return plugin != nullptr; }
};

// The running plugin instance `name`, or nullptr with `why` completing "plugin 'P' ..." (e.g.
// "failed to start: ...", "is disabled in the config").
using RunningPluginLookup = std::function<PluginInstance*(std::string_view name, std::string& why)>;

// One binding per job, in config order. Does not close the plugins' registrations.
[[nodiscard]] std::vector<JobBinding> bind_jobs(const std::vector<JobConfig>& jobs,
                                                const RunningPluginLookup& running_plugin);

}  // namespace weft::host
