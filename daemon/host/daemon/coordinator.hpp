// Coordinator: the host's part of the daemon's life, on top of plugin/, jobs/ and registry/,
// which know nothing of each other's orchestration. Read coordinator.cpp top-down: each step
// below is a block there, in this order.
//
// Start, on the main thread:
//   1. start_all(): the registry's named channels and semaphores exist from construction; for
//      each enabled plugin in config order (quarantined ones are listed, not loaded), open its
//      library (relative paths are looked up in the plugin directory), check its ABI and call
//      init; then call start on each that initialised, in the same order. A plugin that fails any
//      step is logged with its name and the reason, torn down at once (tasks cancelled, destroy if
//      init succeeded, library unloaded) and listed as failed; the others keep running.
//   2. start_jobs(), once start_all() returned: binds each configured job to the task function
//      its plugin registered (plugin.h 6.10; host/daemon/job_targets.hpp), closes every plugin's
//      registrations, logs an error for each job that cannot be bound (the others run) and starts
//      the job scheduler (host/jobs/scheduler.hpp).
//
// While running: plugins(), jobs(), registry() report; set_log_level() applies a new level.
//
// apply(), a live reload of a valid config (coordinator_reload.cpp, host/daemon/config_diff.hpp):
//   R1. what the running channels, semaphores and pools cannot become live (a kind, capacity or
//       permit count) refuses the whole reload: nothing changes;
//   R2. channels, semaphores and pools the new file adds are declared;
//   R3. every mpsc/mpmc channel with a receiver counts one more until R9 (Registry::
//       ReceiverHold), so a plugin's senders wait while its consumer restarts instead of being
//       refused;
//   R4. a running plugin whose `config` alone changed gets it through its reconfigure hook; one
//       without the hook, one that refuses, one whose path or library file changed, is restarted;
//   R5. the job scheduler stops starting runs of plugins removed or restarted;
//   R6. those plugins are drained together as steps 2-6 of the shutdown below (token, grace
//       period, stop hooks in reverse load order, cancel, destroy and unload), without the
//       registry's shutdown: the other plugins and the channels are not touched; and their
//       blocking jobs already queued still run (within the cancel timeout), so nothing a plugin
//       handed to the blocking pool is lost;
//   R7. plugins added, and the new instances of those restarted, are loaded, initialised and
//       started in config order;
//   R8. the jobs are bound again to the running plugins (JobScheduler::update: a run in flight
//       finishes; a job's next occurrence follows its new schedule);
//   R9. the receiver hold ends; channels, semaphores and pools the file no longer declares are
//       retired (a channel closes once its senders are gone); the new config is the running one.
//
// shutdown(), the sequence DESIGN.md fixes:
//   0. the job scheduler stops: no job run is started any more (runs in flight are plugin tasks
//      like any other, and go through the steps below);
//   1. the registry enters shutdown (channels may close once their senders are gone);
//   2. every plugin's shutdown token fires;
//   3. wait up to the grace period for every plugin's tasks; as soon as a plugin has no task
//      left, its channel handles stop sending, so a consumer downstream sees its channel close
//      once drained;
//   4. stop hooks, in reverse load order;
//   5. the tasks still running are cancelled, and their states dropped;
//   6. destroy and dlclose, in reverse load order;
//   7. the registry reports every message a channel accepted but nobody received;
//   8. one debug line per job with its counts.
// A plugin whose tasks or blocking jobs are not dropped within cancel_timeout of their
// cancellation (a poll or a job that never returns) is abandoned instead of step 6: its destroy
// is skipped (plugin.h promises destroy only after every task and job was dropped), its library
// stays mapped, the log says so, and the host leaks the instance; nothing else can keep the
// sequence from finishing.
//
// Thread-safety: start_all and shutdown run on one thread at a time (weftd: start_all on the main
// thread, shutdown on a thread of its own so the main thread can still take a second signal),
// never inside a runtime task. plugins(), jobs() and registry().report() may be called from any
// thread, at any time (the admin endpoint's server thread reads them while the daemon runs and
// while it shuts down): summaries_mutex_ guards the plugin list and the scheduler's pointer.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/daemon/library_stamp.hpp"
#include "host/daemon/reload_outcome.hpp"
#include "host/jobs/job_summary.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/registry/registry.hpp"
#include "runtime/runtime.hpp"

namespace weft::host {

class JobScheduler;
class PluginJobTarget;

struct CoordinatorOptions {
    std::filesystem::path plugin_dir;
    std::chrono::milliseconds grace_period{5'000};
    // How long cancelled tasks get to be dropped before their plugin is left loaded.
    std::chrono::milliseconds cancel_timeout{5'000};
    // How long each plugin hook may run before it is abandoned (shutdown.hook_timeout_ms).
    std::chrono::milliseconds hook_timeout{5'000};
    // Plugins not to start (crash-loop protection, host/crash/crash_record.hpp), by config name,
    // with why: listed as quarantined.
    std::map<std::string, std::string, std::less<>> quarantined{};
    // The state directory plugins are given (plugin.h 6.13); empty: resolved from the config
    // as the crash record's (crash_loop.state_directory, $STATE_DIRECTORY, /var/lib/weft).
    std::filesystem::path state_directory{};
};

// The longest the shutdown after SIGTERM may take with `config`, in milliseconds: the grace
// period, a stop and a destroy hook per enabled plugin at hook_timeout_ms each, the wait for
// cancelled tasks and the runtime's wait for blocking work (blocking_timeout_ms each).
[[nodiscard]] std::uint64_t shutdown_bound_ms(const Config& config) noexcept;
// "grace_period_ms 1000 + 2 hooks x 3 plugins x hook_timeout_ms 5000 + 2 x
// blocking_timeout_ms 2000", the terms of shutdown_bound_ms, for the log.
[[nodiscard]] std::string shutdown_bound_terms(const Config& config);

struct PluginSummary {
    std::string name;  // from the config
    std::filesystem::path path;
    std::string plugin_name;  // from the descriptor (empty if it never loaded)
    std::string version;
    std::string abi;
    PluginState state = PluginState::failed;
    std::string failure;
    std::size_t live_tasks = 0;                 // tasks and blocking jobs not yet dropped
    std::vector<PluginMetricSeries> metrics{};  // what the plugin publishes (ABI 1.3)
    PluginStatsSnapshot stats{};                // what the host counted of it (plugin_stats.hpp)
};

class Coordinator {
   public:
    Coordinator(Handle runtime, const Config& config, CoordinatorOptions options);
    ~Coordinator();
    Coordinator(const Coordinator&) = delete;
    Coordinator& operator=(const Coordinator&) = delete;

    // Returns how many plugins failed to load, init or start.
    std::size_t start_all();
    // Returns how many configured jobs are not scheduled. Once, after start_all.
    std::size_t start_jobs();
    // Idempotent; the destructor calls it.
    void shutdown();
    // How many plugins were abandoned instead of destroyed (PluginInstance::abandon): their code
    // may still run, so the process should exit without running destructors that wait for it.
    [[nodiscard]] std::size_t abandoned() const;
    // shutdown_bound_ms(config) of this host's config. Any thread.
    [[nodiscard]] std::uint64_t shutdown_bound_ms() const;
    // The running config (the one started with, or the last reload's). Any thread.
    [[nodiscard]] Config config() const;

    // What apply() did: each change in words ("added plugin 'b'"), and what failed while the
    // rest applied ("plugin 'c' failed to start: ..."). `refused` non-empty: nothing changed.
    struct ApplyReport {
        std::vector<std::string> refused;
        std::vector<std::string> changes;
        std::vector<std::string> failures;
    };
    // A live reload (steps R1-R9 above) of `next`, which must be valid as check_config_file
    // judges it. On the thread that calls start_all, never concurrently with shutdown(); may
    // block up to a shutdown's bound (plugins drained). After shutdown() it does nothing.
    ApplyReport apply(const Config& next);
    // The last reload's outcome (kept by the daemon's reloader; /status reports it). Any thread.
    void record_reload(ReloadOutcome outcome);
    [[nodiscard]] std::optional<ReloadOutcome> last_reload() const;

    [[nodiscard]] std::vector<PluginSummary> plugins() const;
    // Every loaded plugin's live tasks (the task view: plugin/task_watch.hpp). Any thread.
    [[nodiscard]] std::vector<PluginTasks> tasks() const;
    // Sets the level of every plugin's logger (each a clone of the default logger, so a change of
    // the default's level does not reach them). Any thread: spdlog levels are atomic.
    void set_log_level(spdlog::level::level_enum level) const;
    // Every configured job with its counts, in config order; empty before start_jobs().
    [[nodiscard]] std::vector<JobSummary> jobs() const;
    [[nodiscard]] Registry& registry() noexcept { return *registry_; }
    [[nodiscard]] const Registry& registry() const noexcept { return *registry_; }
    // The running instance called `name`, or nullptr (for tests and the admin endpoint).
    [[nodiscard]] PluginInstance* find(std::string_view name) noexcept;

   private:
    void load(const PluginConfig& plugin);
    void tear_down(PluginInstance& plugin);
    // destroy and unload, or abandon when a task or job of the plugin is still live.
    void finish(PluginInstance& plugin);
    void wait_for_tasks(const std::vector<PluginInstance*>& plugins,
                        std::chrono::steady_clock::time_point deadline);
    // Steps 2-6 of the shutdown for some plugins (R6), leaving the registry alone.
    void drain(const std::vector<PluginInstance*>& plugins);
    // Takes finished instances out of the list (an abandoned one is kept, leaked, in abandoned_).
    void forget_instances(const std::vector<PluginInstance*>& plugins);
    // Drops the failure or quarantine entries of `name`.
    void forget_failure(std::string_view name);
    [[nodiscard]] std::vector<PluginInstance*> all_instances() const;
    // R8: every job bound to the running plugins but those in `paused`.
    void rebind_jobs(const std::vector<std::string>& paused, bool log);
    void record_failure(const PluginConfig& plugin, std::filesystem::path path, std::string why);
    PluginInstance* running_plugin(std::string_view name, std::string& why);

    Handle runtime_;
    Config config_;  // replaced by apply() under summaries_mutex_; read there without it
    CoordinatorOptions options_;
    std::unique_ptr<Registry> registry_;
    std::shared_ptr<IdleSignal> idle_ = std::make_shared<IdleSignal>();
    std::vector<std::unique_ptr<PluginInstance>> instances_;  // load order
    // Instances a reload removed but could not destroy (abandon()): leaked with their library.
    std::vector<std::unique_ptr<PluginInstance>> abandoned_;
    // The library file each plugin (by config name) was loaded from, when it was.
    std::map<std::string, LibraryStamp, std::less<>> stamps_;
    std::optional<ReloadOutcome> last_reload_;  // guarded by summaries_mutex_
    mutable std::mutex summaries_mutex_;
    std::vector<PluginSummary> load_failures_;
    // Set by start_jobs (under summaries_mutex_, as jobs() reads it from other threads); lives
    // until the destructor. Its thread ends in shutdown.
    // What the scheduler's bindings point to: declared before it, so that it outlives it (and
    // leaked with an abandoned plugin, whose job runs may still use it).
    std::vector<std::unique_ptr<PluginJobTarget>> job_targets_;
    std::unique_ptr<JobScheduler> scheduler_;
    bool shut_down_ = false;
};

}  // namespace weft::host
