#include "host/admin/task_view_json.hpp"

#include <chrono>
#include <string>

namespace weft::host::admin {
namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

nlohmann::json render_tasks(const std::vector<PluginTasks>& plugins) {
    nlohmann::json tasks = nlohmann::json::array();
    nlohmann::json warnings = nlohmann::json::array();
    for (const PluginTasks& p : plugins) {
        for (const TaskWatchView& t : p.tasks) {
            tasks.push_back({{"plugin", p.plugin},
                             {"task", t.task},
                             {"name", t.name},
                             {"state", t.state},
                             {"polls", t.polls},
                             {"busy_seconds", seconds(t.busy)},
                             {"longest_poll_seconds", seconds(t.longest_poll)},
                             {"idle_seconds", seconds(t.idle)},
                             {"age_seconds", seconds(t.age)},
                             {"wakes", t.wakes},
                             {"self_wakes", t.self_wakes},
                             {"wakers", t.wakers},
                             {"warnings", t.warnings}});
            const std::string who = "plugin '" + p.plugin + "' task #" + std::to_string(t.task) +
                                    (t.name.empty() ? "" : " '" + t.name + "'");
            for (const std::string& w : t.warnings) warnings.push_back(who + ": " + w);
        }
    }
    return {{"tasks", std::move(tasks)}, {"warnings", std::move(warnings)}};
}

}  // namespace weft::host::admin
