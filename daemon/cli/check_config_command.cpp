#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/exit_codes.hpp"

namespace weft::cli {

int check_config_command(const ConfigOptions& options) {
    const auto config = load_config_or_report(options.config_path);
    if (!config) return kExitConfig;
    fmt::print("{}: valid ({} plugins, {} jobs, {} channels, {} semaphores)\n",
               options.config_path.string(), config->plugins.size(), config->jobs.size(),
               config->channels.size(), config->semaphores.size());
    return kExitOk;
}

}  // namespace weft::cli
