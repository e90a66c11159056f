#include <fmt/core.h>

#include <string>

#include "cli/commands.hpp"
#include "cli/count_of.hpp"
#include "cli/exit_codes.hpp"
#include "cli/plugin_dir.hpp"
#include "host/daemon/config_check.hpp"

namespace weft::cli {

int check_config_command(const ConfigOptions& options) {
    // The same judgement a live reload acts on (host/daemon/config_check.hpp): each plugin is
    // loaded (without running it) and its validate hook judges its config.
    const host::ConfigCheck check =
        host::check_config_file(options.config_path, resolve_plugin_dir(options));
    if (!check.ok()) {
        for (const std::string& error : check.errors) fmt::print(stderr, "{}\n", error);
        // An override's error names its variable, not the file: the file may well be fine.
        if (const std::size_t in_file = check.count - check.from_environment; in_file != 0)
            fmt::print(stderr, "{}: {}\n", options.config_path.string(),
                       count_of(in_file, "error"));
        if (check.from_environment != 0)
            fmt::print(stderr, "environment: {} in WEFT_* variables\n",
                       count_of(check.from_environment, "error"));
        return kExitConfig;
    }
    const auto& config = check.config;
    fmt::print("{}: valid ({}, {}, {}, {})\n", options.config_path.string(),
               count_of(config->plugins.size(), "plugin"), count_of(config->jobs.size(), "job"),
               count_of(config->channels.size(), "channel"),
               count_of(config->semaphores.size(), "semaphore"));
    return kExitOk;
}

}  // namespace weft::cli
