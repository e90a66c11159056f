#include <fmt/core.h>

#include <string>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
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
        fmt::print(stderr, "{}: {} error{}\n", file, errors.size(), errors.size() == 1 ? "" : "s");
        return kExitConfig;
    }
    fmt::print("{}: valid ({} plugins, {} jobs, {} channels, {} semaphores)\n",
               options.config_path.string(), config->plugins.size(), config->jobs.size(),
               config->channels.size(), config->semaphores.size());
    return kExitOk;
}

}  // namespace weft::cli
