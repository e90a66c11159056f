// ConfigDiff: what a live reload has to do to go from the running config to a new, valid one.
//
// Plugins are matched by their config `name`: one only in the new file (or enabled there and
// disabled before) is added; one only in the running config (or disabled now) is removed; one in
// both whose `path` or `config` differs is changed (`config_only` when its path is the same: the
// candidates for the reconfigure hook). Whether its library file changed on disk is not the
// diff's business (the coordinator compares what it loaded). Jobs, channels, semaphores and pools
// are matched by name the same way.
//
// Refused (`refused`, each naming the JSON path and saying it needs a restart): a channel whose
// kind or capacity differs, a semaphore whose permits differ, a pool whose settings differ.
// Reported but not applied (`needs_restart`): the `runtime` and `crash_loop` sections.
#pragma once

#include <string>
#include <vector>

#include "host/config/config.hpp"

namespace weft::host {

struct ConfigDiff {
    // Plugins, each list in the order of the config it comes from.
    std::vector<std::string> plugins_removed;      // running order
    std::vector<std::string> plugins_changed;      // new file's order
    std::vector<std::string> plugins_config_only;  // the subset of changed with the same path
    std::vector<std::string> plugins_added;        // new file's order
    std::vector<std::string> jobs_added, jobs_removed, jobs_changed;
    std::vector<std::string> channels_added, channels_removed;
    std::vector<std::string> semaphores_added, semaphores_removed;
    std::vector<std::string> pools_added, pools_removed;
    bool log_changed = false;
    bool admin_changed = false;
    bool shutdown_changed = false;
    std::vector<std::string> needs_restart;  // section names
    std::vector<std::string> refused;        // "/channels/x: ..."

    [[nodiscard]] bool jobs_differ() const noexcept {
        return !jobs_added.empty() || !jobs_removed.empty() || !jobs_changed.empty();
    }
};

[[nodiscard]] ConfigDiff diff_configs(const Config& running, const Config& next);

// Field-by-field equality of config entries (a JSON document compares by value).
[[nodiscard]] bool same_plugin(const PluginConfig& a, const PluginConfig& b);
[[nodiscard]] bool same_job(const JobConfig& a, const JobConfig& b);

}  // namespace weft::host
