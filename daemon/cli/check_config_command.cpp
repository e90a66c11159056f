#include <fmt/core.h>

#include <string>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/count_of.hpp"
#include "cli/exit_codes.hpp"
#include "cli/plugin_dir.hpp"
#include "host/plugin/inspect.hpp"

namespace weft::cli {

int check_config_command(const ConfigOptions& options) {
    const auto config = load_config_or_report(options.config_path);
    if (!config) return kExitConfig;
    // Each plugin is loaded (without running it) and its validate hook judges its config.
    const auto errors = host::validate_plugins(*config, resolve_plugin_dir(options));
    if (!errors.empty()) {
        const std::string file = options.config_path.string();
        for (const std::string& error : errors) fmt::print(stderr, "{}: {}\n", file, error);
        fmt::print(stderr, "{}: {}\n", file, count_of(errors.size(), "error"));
        return kExitConfig;
    }
    fmt::print("{}: valid ({}, {}, {}, {})\n", options.config_path.string(),
               count_of(config->plugins.size(), "plugin"), count_of(config->jobs.size(), "job"),
               count_of(config->channels.size(), "channel"),
               count_of(config->semaphores.size(), "semaphore"));
    return kExitOk;
}

}  // namespace weft::cli
