// Loading the config for a command, printing every error to stderr when it is invalid.
#pragma once

#include <filesystem>
#include <optional>

#include "host/config/config.hpp"

namespace weft::cli {

// The config, or nothing after printing each error on its own line (the caller exits with
// kExitConfig). Logging is not set up yet at this point, so errors go straight to stderr.
[[nodiscard]] std::optional<host::Config> load_config_or_report(const std::filesystem::path& file);

}  // namespace weft::cli
