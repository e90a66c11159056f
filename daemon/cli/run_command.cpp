// `weftd run -c FILE`: the daemon's life, in order.
//
//   1. the runtime, from the config's `runtime` section, listening at once for SIGINT, SIGTERM
//      and SIGHUP on its own signal streams (cli/daemon_signals.hpp): from here on a SIGTERM is a
//      graceful shutdown, never a lost one
//   2. crash-loop protection: the crash record is opened and the fatal-signal handler installed
//      (host/crash/crash_handler.hpp); plugins that crashed weftd in a loop are quarantined
//   3. the coordinator (host/daemon/coordinator.hpp): named channels and semaphores from the
//      config, then every plugin loaded, initialised and started (a failing plugin is logged and
//      left out; the others run)
//   4. the admin endpoint (host/admin/admin_server.hpp; one that cannot be set up is logged and
//      left out, never fatal), then the job scheduler (a job whose plugin or task is missing is
//      logged; the others run)
//   5. READY=1 to systemd; wait for SIGINT or SIGTERM; SIGHUP and POST /reload meanwhile reload
//      the config, one at a time, on this thread (cli/config_reload.hpp)
//   6. STOPPING=1; /health turns 503; the coordinator's shutdown sequence
//      (host/daemon/coordinator.hpp: no more job runs, tokens, grace period, stop hooks,
//      cancellation, destroy and unload in reverse order, the report of undelivered messages), on
//      a thread of its own: a second signal meanwhile forces an immediate exit, logging what was
//      still running. The admin endpoint keeps answering meanwhile, so the shutdown is observable
//   7. the admin endpoint stops (its socket file is removed); the runtime shuts down, waiting up
//      to shutdown.blocking_timeout_ms for blocking work. If a plugin was abandoned (a hook or a
//      task that did not end in time: its code may still run), weftd exits here without running
//      destructors.
// Steps 6-7 are bounded by host::shutdown_bound_ms(config), logged at start-up, and enforced by
// a watchdog thread.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cli/commands.hpp"
#include "cli/config_loading.hpp"
#include "cli/config_reload.hpp"
#include "cli/count_of.hpp"
#include "cli/daemon_signals.hpp"
#include "cli/exit_codes.hpp"
#include "cli/logging.hpp"
#include "cli/plugin_dir.hpp"
#include "cli/runtime_setup.hpp"
#include "cli/systemd.hpp"
#include "host/admin/admin_server.hpp"
#include "host/crash/crash_handler.hpp"
#include "host/crash/crash_record.hpp"
#include "host/daemon/coordinator.hpp"
#include "host/plugin/runtime_thread.hpp"
#include "weft/version.hpp"

namespace weft::cli {
namespace {

// The second signal (or 0: the shutdown overran its bound): exit at once, saying what was still
// running (plugins that had not finished their shutdown, with their live tasks). The admin
// socket file goes too: its server is not stopped (that could wait), but no stale socket stays
// behind.
[[noreturn]] void force_exit(int signum, const host::Coordinator& plugins,
                             host::admin::AdminServer& admin) {
    if (signum != 0)
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

// Crash-loop protection: opens the crash record in the state directory, installs the
// fatal-signal handler with it, and returns the plugins to quarantine with why. Without a usable
// state directory the handler still names a crashing plugin, but nothing is recorded.
std::map<std::string, std::string, std::less<>> set_up_crash_handling(
    const host::Config& config, std::optional<host::CrashRecord>& record) {
    std::map<std::string, std::string, std::less<>> quarantined;
    const auto directory = host::resolve_state_directory(config, host::process_environment());
    const auto now = host::unix_now();
    std::string error;
    record = host::CrashRecord::open(directory, config, now, error);
    if (!record) {
        spdlog::warn("crash-loop protection is off: {}", error);
        host::install_crash_handler(-1);
        return quarantined;
    }
    host::install_crash_handler(record->fd());
    for (const auto& [name, entry] : host::quarantined_plugins(record->text(), config, now)) {
        quarantined.emplace(
            name, fmt::format("it crashed weftd {} times within {} minutes (last {} s ago); "
                              "release it with `weftd plugin release {}` or by changing its "
                              "config",
                              entry.crashes, config.crash_loop.window_minutes,
                              now - entry.last_crash_unix, name));
    }
    return quarantined;
}

int run_daemon(const host::Config& config, const ConfigOptions& options) {
    Runtime runtime = build_runtime(config.runtime);  // 1.
    host::RuntimeThread driver(runtime);  // drives a current_thread runtime; idle otherwise
    DaemonSignals signals(runtime.handle());

    std::optional<host::CrashRecord> crash_record;  // 2. its fd stays open while weftd runs
    auto quarantined = set_up_crash_handling(config, crash_record);
    const auto plugin_dir = resolve_plugin_dir(options);
    spdlog::debug("plugin directory: {}; {}, {} configured", plugin_dir.string(),
                  count_of(config.plugins.size(), "plugin"), count_of(config.jobs.size(), "job"));
    host::CoordinatorOptions host_options;
    host_options.plugin_dir = plugin_dir;
    host_options.grace_period = std::chrono::milliseconds(config.shutdown.grace_period_ms);
    host_options.cancel_timeout = std::chrono::milliseconds(config.shutdown.blocking_timeout_ms);
    host_options.hook_timeout = std::chrono::milliseconds(config.shutdown.hook_timeout_ms);
    host_options.quarantined = std::move(quarantined);
    host::Coordinator plugins(runtime.handle(), config, std::move(host_options));
    const std::size_t failed = plugins.start_all();
    // Declared after the runtime and the coordinator, so that on any exit its threads stop before
    // what they read is destroyed. Before "weftd started", so that the socket is there once that
    // line is logged (its jobs list fills in with start_jobs below).
    const auto admin_started = std::chrono::steady_clock::now();
    auto snapshot = [&plugins, admin_started, handle = runtime.handle()](bool shutting_down) {
        return host::admin::take_snapshot(handle, plugins, admin_started, shutting_down);
    };
    // POST /reload: the reload runs on this thread, between signals (so one at a time with
    // SIGHUP's), while the endpoint's thread waits for its outcome.
    std::optional<ConfigReloader> reloader;
    auto reload_action = [&signals, &reloader]() -> host::ReloadOutcome {
        auto outcome = std::make_shared<std::promise<host::ReloadOutcome>>();
        auto answer = outcome->get_future();
        const bool posted = signals.post(
            [&reloader, outcome] { outcome->set_value(reloader->reload("admin endpoint")); });
        if (!posted) {
            host::ReloadOutcome ignored;
            ignored.result = host::ReloadOutcome::Result::ignored;
            ignored.trigger = "admin endpoint";
            ignored.at = std::chrono::system_clock::now();
            spdlog::warn("reload asked for by admin endpoint ignored: weftd is shutting down");
            return ignored;
        }
        return answer.get();
    };
    auto task_view = [&plugins] { return plugins.tasks(); };
    std::optional<host::admin::AdminServer> admin;
    admin.emplace(config.admin, snapshot, reload_action, task_view);

    spdlog::info("weftd started (version {}, pid {}, config {})", build_info::kVersion, ::getpid(),
                 options.config_path.string());
    const std::uint64_t bound_ms = host::shutdown_bound_ms(config);
    spdlog::info("a shutdown takes at most {} ms ({})", bound_ms,
                 host::shutdown_bound_terms(config));
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

    // A new `admin` section reopens the endpoint, after the reload that asked for it returned (a
    // reload asked for through the endpoint waits in its thread, which stopping would join).
    bool stopping = false;  // this thread's: the shutdown signal arrived
    auto restart_admin = [&](const host::AdminConfig& next) {
        signals.post([&, next] {
            if (stopping) return;
            admin.reset();
            admin.emplace(next, snapshot, reload_action, task_view);
        });
    };
    reloader.emplace(options.config_path, plugin_dir, plugins, restart_admin);
    signals.on_reload([&reloader] { reloader->reload("SIGHUP"); });
    const int signum = signals.wait_for_shutdown_signal();
    // The plugins are going: a reload now is ignored and logged.
    reloader->begin_shutdown();
    stopping = true;
    signals.on_reload([&reloader] { reloader->reload("SIGHUP"); });
    spdlog::info("received {}, shutting down", signal_name(signum));
    // The shutdown follows the running config: the last reload's `shutdown` section.
    const host::Config running = plugins.config();
    const std::uint64_t bound_now = host::shutdown_bound_ms(running);
    notify_systemd("STOPPING=1\nSTATUS=shutting down");
    admin->begin_shutdown();

    std::atomic<bool> done{false};
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::thread shutdown([&] {
        plugins.shutdown();
        {
            std::lock_guard lock(done_mutex);
            done.store(true);
        }
        done_cv.notify_all();
        signals.wake();
    });
    // The documented bound, enforced: the coordinator's part of it (all but the runtime's wait
    // for blocking work) plus a margin for a loaded machine. Nothing should ever reach it: each
    // step has a deadline of its own.
    const auto watchdog_limit =
        std::chrono::milliseconds(bound_now - running.shutdown.blocking_timeout_ms + 5'000);
    std::thread watchdog([&] {
        std::unique_lock lock(done_mutex);
        if (done_cv.wait_for(lock, watchdog_limit, [&] { return done.load(); })) return;
        lock.unlock();
        spdlog::critical("the shutdown did not finish within {} ms", watchdog_limit.count());
        force_exit(0, plugins, *admin);
    });
    const int second = signals.wait_for_shutdown_signal();
    if (second != 0 && !done.load()) force_exit(second, plugins, *admin);
    shutdown.join();
    watchdog.join();

    signals.close_posts();  // a reload asked for now is answered "ignored"
    driver.stop();
    admin->stop();
    runtime.shutdown_timeout(std::chrono::milliseconds(running.shutdown.blocking_timeout_ms));
    if (const std::size_t abandoned = plugins.abandoned(); abandoned != 0) {
        // Code of those plugins may still run (a blocking job, a hook): no destructor may wait
        // for it or free what it uses. The shutdown itself is complete.
        spdlog::warn("weftd stopped; {} plugins were left loaded without destroy (see above)",
                     abandoned);
        spdlog::shutdown();
        std::_Exit(kExitOk);
    }
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
