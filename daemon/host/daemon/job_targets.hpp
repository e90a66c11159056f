// Binding configured jobs to what plugins registered: each job's plugin must be running and must
// have registered the job's task function (plugin.h 6.10). The coordinator owns one
// PluginJobTarget per plugin with a bound job, for as long as the scheduler and the runs live.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "host/jobs/job_binding.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {

// A running plugin as the job scheduler sees it: runs are its tasks (spawn_plugin_task).
class PluginJobTarget final : public JobTarget {
   public:
    explicit PluginJobTarget(PluginInstance& plugin) noexcept : plugin_(plugin) {}
    [[nodiscard]] bool shutting_down() const noexcept override;
    [[nodiscard]] const CrashIdentity& crash_identity() const noexcept override;
    [[nodiscard]] weft_status spawn(weft_task_poll_fn poll, void* state, weft_task_drop_fn drop,
                                    std::string_view name) noexcept override;
    [[nodiscard]] const PluginInstance& plugin() const noexcept { return plugin_; }

   private:
    PluginInstance& plugin_;
};

// The running plugin instance `name`, or nullptr with `why` completing "plugin 'P' ..." (e.g.
// "failed to start: ...", "is disabled in the config").
using RunningPluginLookup = std::function<PluginInstance*(std::string_view name, std::string& why)>;

// One binding per job, in config order; `targets` receives the targets the bindings point to.
// Does not close the plugins' registrations.
[[nodiscard]] std::vector<JobBinding> bind_jobs(
    const std::vector<JobConfig>& jobs, const RunningPluginLookup& running_plugin,
    std::vector<std::unique_ptr<PluginJobTarget>>& targets);

}  // namespace weft::host
