#include "host/daemon/job_targets.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/plugin/plugin_task.hpp"

namespace weft::host {
namespace {

std::string registered_list(PluginInstance& plugin) {
    const auto names = plugin.job_functions().names();
    if (names.empty()) return "it registered no job task";
    return fmt::format("it registered: {}", fmt::join(names, ", "));
}

}  // namespace

bool PluginJobTarget::shutting_down() const noexcept { return plugin_.shutdown_token().is_fired(); }

const CrashIdentity& PluginJobTarget::crash_identity() const noexcept {
    return plugin_.crash_identity();
}

weft_status PluginJobTarget::spawn(weft_task_poll_fn poll, void* state, weft_task_drop_fn drop,
                                   std::string_view name) noexcept {
    return spawn_plugin_task(plugin_, poll, state, drop, nullptr, name);
}

std::vector<JobBinding> bind_jobs(const std::vector<JobConfig>& jobs,
                                  const RunningPluginLookup& running_plugin,
                                  std::vector<std::unique_ptr<PluginJobTarget>>& targets) {
    std::vector<JobBinding> out;
    out.reserve(jobs.size());
    for (const JobConfig& job : jobs) {
        JobBinding binding{job, nullptr, {}, {}};
        std::string why;
        PluginInstance* plugin = running_plugin(job.plugin, why);
        if (plugin == nullptr) {
            binding.problem = fmt::format("plugin '{}' {}, so it cannot run task '{}'", job.plugin,
                                          why, job.task);
        } else if (auto fn = plugin->job_functions().find(job.task)) {
            PluginJobTarget* target = nullptr;
            for (const auto& t : targets)
                if (&t->plugin() == plugin) target = t.get();
            if (target == nullptr) {
                targets.push_back(std::make_unique<PluginJobTarget>(*plugin));
                target = targets.back().get();
            }
            binding.target = target;
            binding.function = std::move(*fn);
        } else {
            binding.problem = fmt::format("plugin '{}' registered no job task '{}' ({})",
                                          job.plugin, job.task, registered_list(*plugin));
        }
        out.push_back(std::move(binding));
    }
    return out;
}

}  // namespace weft::host
