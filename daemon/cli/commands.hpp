// One function per weftd subcommand; each returns the process exit code (exit_codes.hpp).
#pragma once

#include <filesystem>

#include "cli/options.hpp"

namespace weft::cli {

[[nodiscard]] int version_command();
[[nodiscard]] int check_config_command(const ConfigOptions& options);
[[nodiscard]] int run_command(const ConfigOptions& options);
// `weftd plugin inspect FILE`: the plugin's descriptor, or why it cannot be loaded (exit 1).
[[nodiscard]] int plugin_inspect_command(const std::filesystem::path& file);

}  // namespace weft::cli
