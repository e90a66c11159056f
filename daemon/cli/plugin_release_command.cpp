// `weftd plugin release NAME`: ends a plugin's quarantine (crash-loop protection,
// host/crash/crash_record.hpp) by appending a release line to the crash record, so the next
// start of weftd starts the plugin again. The state directory is --state-dir, else the
// crash_loop.state_directory of -c FILE (or of the installed config, if it exists), else
// $STATE_DIRECTORY, else /var/lib/weft: the directory `weftd run` uses with the same config.
#include <fmt/core.h>

#include <filesystem>
#include <string>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/exit_codes.hpp"
#include "host/config/schema.hpp"
#include "host/crash/crash_record.hpp"
#include "weft/version.hpp"

namespace weft::cli {

int plugin_release_command(const ReleaseOptions& options) {
    namespace fs = std::filesystem;
    if (!host::is_plugin_name(options.name)) {
        fmt::print(stderr, "weftd plugin release: \"{}\" is not a plugin name\n", options.name);
        return kExitUsage;
    }
    host::Config config;
    std::optional<fs::path> file = options.config_path;
    std::error_code ec;
    if (!file && fs::exists(fs::path(build_info::kInstallConfigFile), ec))
        file = fs::path(build_info::kInstallConfigFile);
    if (file) {
        auto loaded = load_config_or_report(*file);
        if (!loaded) return kExitConfig;
        config = std::move(*loaded);
    }
    const fs::path directory =
        options.state_dir ? *options.state_dir
                          : host::resolve_state_directory(config, host::process_environment());
    std::string error;
    if (!host::release_plugin(directory, options.name, host::unix_now(), error)) {
        fmt::print(stderr, "weftd plugin release: {}\n", error);
        return kExitRuntimeFailure;
    }
    fmt::print(
        "released plugin '{}': its earlier crashes no longer count; weftd starts it at "
        "its next start ({})\n",
        options.name, (directory / host::kCrashRecordFile).string());
    return kExitOk;
}

}  // namespace weft::cli
