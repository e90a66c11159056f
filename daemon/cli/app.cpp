#include "cli/app.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "cli/command_suggestion.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/options.hpp"
#include "weft/version.hpp"

namespace weft::cli {
namespace {

void add_config_options(CLI::App& command, ConfigOptions& options) {
    command.add_option("-c,--config", options.config_path, "Config file (JSON)")
        ->required()
        ->type_name("FILE");
    command
        .add_option("--plugin-dir", options.plugin_dir,
                    "Directory for relative plugin paths (default: the build tree's plugins "
                    "when run from it, else " +
                        std::string(build_info::kInstallPluginDir) + ")")
        ->type_name("DIR");
}

void add_admin_options(CLI::App& command, AdminOptions& options) {
    CLI::Option* config = command
                              .add_option("-c,--config", options.config_path,
                                          "Config file whose admin.socket to use (default: " +
                                              std::string(build_info::kInstallConfigFile) +
                                              " if it exists, else /run/weft/admin.sock)")
                              ->type_name("FILE");
    command.add_option("--socket", options.socket, "The admin socket (overrides the config's)")
        ->type_name("PATH")
        ->excludes(config);
}

}  // namespace

int run_app(int argc, char** argv) {
    CLI::App app{"weftd: runs task plugins on a Tokio-class async runtime", "weftd"};
    app.footer(kExitCodeHelp);
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", std::string("weftd ") + std::string(build_info::kVersion));

    ConfigOptions options;
    CLI::App* run = app.add_subcommand(
        "run", "Run the daemon in the foreground until SIGINT or SIGTERM (the form systemd uses)");
    add_config_options(*run, options);
    CLI::App* check = app.add_subcommand(
        "check-config", "Validate a config file, report every error, exit 0 if it is valid");
    add_config_options(*check, options);
    CLI::App* version =
        app.add_subcommand("version", "Print the version, git revision and libuv version");
    CLI::App* plugin = app.add_subcommand("plugin", "Commands about plugin files");
    plugin->require_subcommand(1);
    std::filesystem::path plugin_file;
    CLI::App* inspect = plugin->add_subcommand(
        "inspect",
        "Load a plugin file and print its name, version and ABI (or why it cannot be "
        "loaded) without running it");
    inspect->add_option("FILE", plugin_file, "The plugin's shared library (.so)")
        ->required()
        ->type_name("FILE");
    ReleaseOptions release_options;
    CLI::App* release = plugin->add_subcommand(
        "release", "End a plugin's crash-loop quarantine: weftd starts it again at its next start");
    release->add_option("NAME", release_options.name, "The plugin's name in the config")
        ->required();
    release
        ->add_option("-c,--config", release_options.config_path,
                     "Config file whose crash_loop.state_directory to use (default: " +
                         std::string(build_info::kInstallConfigFile) + " if it exists)")
        ->type_name("FILE");
    release
        ->add_option("--state-dir", release_options.state_dir,
                     "weftd's state directory (default: the config's, else $STATE_DIRECTORY, "
                     "else /var/lib/weft)")
        ->type_name("DIR");
    AdminOptions admin;
    CLI::App* status = app.add_subcommand(
        "status",
        "Print a running daemon's state (plugins, jobs, channels, runtime metrics) as JSON, from "
        "its admin socket");
    add_admin_options(*status, admin);
    bool status_tasks = false;
    status->add_flag("--tasks", status_tasks,
                     "Print every live plugin task instead (state, polls, busy time, wakes, "
                     "warnings), as JSON");
    CLI::App* metrics = app.add_subcommand(
        "metrics",
        "Print a running daemon's metrics in Prometheus text format, from its admin "
        "socket");
    add_admin_options(*metrics, admin);
    CLI::App* reload = app.add_subcommand(
        "reload",
        "Make a running daemon reload its config file, as SIGHUP does, through its admin socket, "
        "and print the outcome (exit 3 if the file is invalid: nothing changed)");
    add_admin_options(*reload, admin);
    CLI::App* top = app.add_subcommand(
        "top",
        "Show a running daemon live in the terminal (workers, plugins, channels, jobs, "
        "warnings), from its admin socket; q quits");
    add_admin_options(*top, admin);
    for (CLI::App* command :
         {run, check, version, plugin, inspect, release, status, metrics, reload, top})
        command->footer(kExitCodeHelp);
    reload->footer(kExitCodeHelp);

    if (const auto unknown = unknown_command_message(app, argc, argv)) {
        fmt::print(stderr, "{}\n", *unknown);
        return kExitUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        // CLI11 prints help/version (code 0) or the error; its own error codes are finer grained
        // than weftd promises, so every parse failure becomes the one usage code.
        return app.exit(error) == 0 ? kExitOk : kExitUsage;
    }

    if (run->parsed()) return run_command(options);
    if (check->parsed()) return check_config_command(options);
    if (inspect->parsed()) return plugin_inspect_command(plugin_file);
    if (release->parsed()) return plugin_release_command(release_options);
    if (status->parsed()) return status_command(admin, status_tasks);
    if (metrics->parsed()) return metrics_command(admin);
    if (reload->parsed()) return reload_command(admin);
    if (top->parsed()) return top_command(admin);
    return version_command();
}

}  // namespace weft::cli
