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
// `weftd plugin release NAME`: ends the plugin's crash-loop quarantine (exit 1 if the record
// cannot be written).
[[nodiscard]] int plugin_release_command(const ReleaseOptions& options);
// `weftd status`: the running daemon's /status JSON (with `tasks`, its /tasks), pretty-printed
// (exit 1 if unreachable).
[[nodiscard]] int status_command(const AdminOptions& options, bool tasks);
// `weftd reload`: the running daemon reloads its config (POST /reload) and the outcome is
// printed (exit 3 if the file is invalid, 1 if unreachable or shutting down).
[[nodiscard]] int reload_command(const AdminOptions& options);
// `weftd metrics`: the running daemon's /metrics text (exit 1 if unreachable).
[[nodiscard]] int metrics_command(const AdminOptions& options);
// `weftd top`: a live terminal view of the running daemon (exit 1 if unreachable).
[[nodiscard]] int top_command(const AdminOptions& options);

}  // namespace weft::cli
