// `weftd run -c FILE`: the daemon's life, in order.
//
//   1. signal handlers (from here on a SIGTERM is a graceful shutdown, never a lost one)
//   2. the runtime, from the config's `runtime` section
//   3. the plugin host: named channels and semaphores from the config, then every plugin loaded,
//      initialised and started (a failing plugin is logged and left out; the others run)
//   4. the admin endpoint (host/admin/admin_server.hpp; one that cannot be set up is logged and
//      left out, never fatal), then the job scheduler (a job whose plugin or task is missing is
//      logged; the others run)
//   5. READY=1 to systemd; wait for SIGINT or SIGTERM; SIGHUP meanwhile reloads the config
//      (cli/config_reload.hpp)
//   6. STOPPING=1; /health turns 503; the plugin host's shutdown sequence
//      (host/plugin/plugin_host.hpp: no more job runs, tokens, grace period, stop hooks,
//      cancellation, destroy and unload in reverse order, the report of undelivered messages), on
//      a thread of its own: a second signal meanwhile forces an immediate exit, logging what was
//      still running. The admin endpoint keeps answering meanwhile, so the shutdown is observable
//   7. the admin endpoint stops (its socket file is removed); the runtime shuts down, waiting up
//      to shutdown.blocking_timeout_ms for blocking work
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <thread>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/config_reload.hpp"
#include "cli/count_of.hpp"
#include "cli/exit_codes.hpp"
#include "cli/logging.hpp"
#include "cli/plugin_dir.hpp"
#include "cli/runtime_setup.hpp"
#include "cli/signal_loop.hpp"
#include "cli/systemd.hpp"
#include "host/admin/admin_server.hpp"
#include "host/plugin/plugin_host.hpp"
#include "host/plugin/runtime_thread.hpp"
#include "weft/version.hpp"

namespace weft::cli {
namespace {

// The second signal: exit at once, saying what was still running (plugins that had not finished
// their shutdown, with their live tasks). The admin socket file goes too: its server is not
// stopped (that could wait), but no stale socket stays behind.
[[noreturn]] void force_exit(int signum, const host::PluginHost& plugins,
                             host::admin::AdminServer& admin) {
    spdlog::critical("received {} during the shutdown: exiting now", signal_name(signum));
    std::size_t stuck = 0;
    for (const auto& p : plugins.plugins()) {
        if (p.live_tasks == 0) continue;
        ++stuck;
        spdlog::critical("still running: plugin '{}' ({}): {} tasks", p.name,
                         host::to_string(p.state), p.live_tasks);
    }
    if (stuck == 0) spdlog::critical("no plugin task was still running");
    for (const auto& j : plugins.jobs()) {
        if (j.running)
            spdlog::critical("still running: job '{}' (plugin '{}', task '{}')", j.name, j.plugin,
                             j.task);
    }
    admin.remove_socket_files();
    spdlog::shutdown();
    std::_Exit(kExitRuntimeFailure);  // no destructor may wait for what is stuck
}

int run_daemon(const host::Config& config, const ConfigOptions& options) {
    SignalLoop signals;

    Runtime runtime = build_runtime(config.runtime);
    host::RuntimeThread driver(runtime);  // drives a current_thread runtime; idle otherwise
    const auto plugin_dir = resolve_plugin_dir(options);
    spdlog::debug("plugin directory: {}; {}, {} configured", plugin_dir.string(),
                  count_of(config.plugins.size(), "plugin"), count_of(config.jobs.size(), "job"));
    host::PluginHost plugins(
        runtime.handle(), config,
        host::PluginHostOptions{plugin_dir,
                                std::chrono::milliseconds(config.shutdown.grace_period_ms),
                                std::chrono::milliseconds(config.shutdown.blocking_timeout_ms)});
    const std::size_t failed = plugins.start_all();
    // Declared after the runtime and the plugin host, so that on any exit its threads stop before
    // what they read is destroyed. Before "weftd started", so that the socket is there once that
    // line is logged (its jobs list fills in with start_jobs below).
    const auto admin_started = std::chrono::steady_clock::now();
    host::admin::AdminServer admin(
        config.admin, [&plugins, admin_started, handle = runtime.handle()](bool shutting_down) {
            return host::admin::take_snapshot(handle, plugins, admin_started, shutting_down);
        });

    spdlog::info("weftd started (version {}, pid {}, config {})", build_info::kVersion, ::getpid(),
                 options.config_path.string());
    if (failed != 0) {
        spdlog::warn("{} of {} failed to start (see above); the others run", failed,
                     count_of(plugins.plugins().size(), "plugin"));
    }
    // After every plugin started, so that each had its init and start to register job tasks.
    if (const std::size_t unscheduled = plugins.start_jobs(); unscheduled != 0) {
        spdlog::warn("{} of {} not scheduled (see above); the others run", unscheduled,
                     count_of(config.jobs.size(), "job is", "jobs are"));
    }
    notify_systemd("READY=1\nSTATUS=running");

    ConfigReloader reloader(options.config_path, config, plugins);
    signals.on_reload([&reloader] { reloader.reload(); });
    const int signum = signals.wait_for_shutdown_signal();
    signals.on_reload(nullptr);  // the plugins are going: a SIGHUP now is only logged
    spdlog::info("received {}, shutting down", signal_name(signum));
    notify_systemd("STOPPING=1\nSTATUS=shutting down");
    admin.begin_shutdown();

    std::atomic<bool> done{false};
    std::thread shutdown([&] {
        plugins.shutdown();
        done.store(true);
        signals.wake();
    });
    const int second = signals.wait_for_shutdown_signal();
    if (second != 0 && !done.load()) force_exit(second, plugins, admin);
    shutdown.join();

    driver.stop();
    admin.stop();
    runtime.shutdown_timeout(std::chrono::milliseconds(config.shutdown.blocking_timeout_ms));
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
