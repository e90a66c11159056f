// One function per weftd subcommand; each returns the process exit code (exit_codes.hpp).
#pragma once

#include "cli/options.hpp"

namespace weft::cli {

[[nodiscard]] int version_command();
[[nodiscard]] int check_config_command(const ConfigOptions& options);
[[nodiscard]] int run_command(const ConfigOptions& options);

}  // namespace weft::cli
