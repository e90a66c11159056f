// `weftd run -c FILE`: the daemon's life, in order. Each step is one call, so later work plugs in
// the runtime and the plugins at the marked places without reshaping the sequence.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <exception>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/exit_codes.hpp"
#include "cli/logging.hpp"
#include "cli/plugin_dir.hpp"
#include "cli/signal_loop.hpp"
#include "cli/systemd.hpp"
#include "weft/version.hpp"

namespace weft::cli {
namespace {

int run_daemon(const host::Config& config, const ConfigOptions& options) {
    // Signal handlers first: from here on a SIGTERM is a graceful shutdown, never a lost one.
    SignalLoop signals;

    // Later: build the runtime from config.runtime, load config.plugins from the plugin
    // directory, create channels and semaphores, start plugins and schedule config.jobs.
    const auto plugin_dir = resolve_plugin_dir(options);
    spdlog::debug("plugin directory: {}; {} plugins, {} jobs configured", plugin_dir.string(),
                  config.plugins.size(), config.jobs.size());

    spdlog::info("weftd started (version {}, pid {}, config {})", build_info::kVersion, ::getpid(),
                 options.config_path.string());
    notify_systemd("READY=1\nSTATUS=running");

    const int signum = signals.wait_for_shutdown_signal();
    spdlog::info("received {}, shutting down", signal_name(signum));
    notify_systemd("STOPPING=1\nSTATUS=shutting down");

    // Later: stop starting jobs, fire plugin shutdown tokens, wait up to
    // config.shutdown.grace_period_ms, call stop hooks, shut the runtime down, unload plugins in
    // reverse order.

    spdlog::info("weftd stopped");
    return kExitOk;
}

}  // namespace

int run_command(const ConfigOptions& options) {
    const auto config = load_config_or_report(options.config_path);
    if (!config) return kExitConfig;
    configure_logging(config->log);
    int code = kExitRuntimeFailure;
    try {
        code = run_daemon(*config, options);
    } catch (const std::exception& error) {
        spdlog::critical("weftd failed: {}", error.what());
    }
    spdlog::shutdown();  // flushes every sink before exit
    return code;
}

}  // namespace weft::cli
