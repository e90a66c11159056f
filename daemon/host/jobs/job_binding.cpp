#include "host/jobs/job_binding.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/plugin/plugin_instance.hpp"

namespace weft::host {
namespace {

std::string registered_list(PluginInstance& plugin) {
    const auto names = plugin.job_functions().names();
    if (names.empty()) return "it registered no job task";
    return fmt::format("it registered: {}", fmt::join(names, ", "));
}

}  // namespace

std::vector<JobBinding> bind_jobs(const std::vector<JobConfig>& jobs,
                                  const RunningPluginLookup& running_plugin) {
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
            binding.plugin = plugin;
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
