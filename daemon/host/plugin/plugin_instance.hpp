// PluginInstance: one loaded plugin, from init to unload, and the weft_host handle it is given.
//
// Lifecycle (every step on the daemon's main thread, driven by Coordinator):
//
//   loaded --init--> initialised --start--> running --request_shutdown--> stopping
//      |                 |                     |                             |
//      +--(failure)------+---------------------+---> failed                  +--stop--> stopped
//
// then, whatever the state: cancel_tasks, wait for every task state to be dropped, destroy (if
// init succeeded), close what the plugin left open, unload (dlclose). A failed hook is logged
// with the plugin's name and its message, and marks the plugin failed; the host never lets a
// plugin's error or exception escape.
//
// The instance outlives every task of the plugin: tasks refer to it by reference, and the host
// only deletes it after the live-task count fell to zero (otherwise it is deliberately leaked,
// with its library, and the log says so).
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "host/abi/abi_objects.hpp"
#include "host/crash/crash_site.hpp"
#include "host/plugin/hook_call.hpp"
#include "host/plugin/job_registrations.hpp"
#include "host/plugin/library.hpp"
#include "host/plugin/owned_handles.hpp"
#include "host/plugin/plugin_stats.hpp"
#include "host/plugin/shutdown_token.hpp"
#include "host/plugin/task_tracker.hpp"
#include "host/plugin/task_watch.hpp"
#include "host/registry/plugin_metrics.hpp"
#include "runtime/runtime.hpp"

namespace weft::host {

class Registry;

// quarantined: not loaded, as it crashed weftd too often (host/crash/crash_record.hpp).
enum class PluginState {
    loaded,
    initialised,
    running,
    stopping,
    stopped,
    failed,
    unloaded,
    quarantined
};
[[nodiscard]] std::string_view to_string(PluginState state) noexcept;

// What every plugin instance shares with the host.
struct HostServices {
    Handle runtime;
    Registry* registry;
    std::shared_ptr<IdleSignal> idle;
    // How long each hook may run before it is abandoned (shutdown.hook_timeout_ms).
    std::chrono::milliseconds hook_timeout{5'000};
    // Where plugins keep what must survive a restart (plugin.h 6.13).
    std::string state_directory;
};

class PluginInstance : public weft_host {
   public:
    PluginInstance(std::string name, PluginLibrary library, HostServices services);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    [[nodiscard]] static PluginInstance& of(weft_host* h) noexcept {
        return static_cast<PluginInstance&>(*h);
    }

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return library_.path(); }
    // Only while the library is loaded (until unload()).
    [[nodiscard]] const weft_plugin_descriptor& descriptor() const noexcept {
        return library_.descriptor();
    }
    // The descriptor's identity, copied at load (the descriptor dies with the library).
    [[nodiscard]] const std::string& plugin_name() const noexcept { return plugin_name_; }
    [[nodiscard]] const std::string& plugin_version() const noexcept { return plugin_version_; }
    [[nodiscard]] const std::string& abi() const noexcept { return abi_; }
    [[nodiscard]] PluginState state() const noexcept { return state_; }
    // Set once, when the plugin fails (main thread); read after state() says failed.
    [[nodiscard]] std::string failure() const {
        std::lock_guard lock(failure_mutex_);
        return failure_;
    }

    [[nodiscard]] spdlog::logger& log() const noexcept { return *logger_; }
    [[nodiscard]] TaskTracker& tasks() noexcept { return tasks_; }
    // Its live tasks as the task view sees them (task_watch.hpp).
    [[nodiscard]] TaskWatchList& task_watches() noexcept { return task_watches_; }
    [[nodiscard]] const TaskWatchList& task_watches() const noexcept { return task_watches_; }
    [[nodiscard]] ShutdownToken& shutdown_token() noexcept { return token_; }
    [[nodiscard]] OpenHandles& handles() noexcept { return handles_; }
    // The task functions it registered for jobs (plugin.h 6.10).
    [[nodiscard]] JobRegistrations& job_functions() noexcept { return job_functions_; }
    [[nodiscard]] Registry& registry() const noexcept { return *services_.registry; }
    [[nodiscard]] const Handle& runtime() const noexcept { return services_.runtime; }
    // Who the fatal-signal handler names when this plugin's code crashes (crash_site.hpp).
    [[nodiscard]] const CrashIdentity& crash_identity() const noexcept { return crash_; }
    // Sets the crash record's key of this plugin's configuration. Before init.
    void set_crash_key(std::string_view key) noexcept;
    // The hook that did not return in time and still runs, or null.
    [[nodiscard]] const char* hook_still_running() const noexcept { return stuck_hook_; }
    // Its `config` from weftd.json (plugin.h 6.11): set by init, replaced only by a reconfigure
    // that succeeded. Every config it had lives as long as the instance (strings read from one
    // stay valid until destroy, as plugin.h promises). Any thread.
    [[nodiscard]] const nlohmann::json& config() const noexcept {
        return *config_.load(std::memory_order_acquire);
    }
    // The metrics it publishes (plugin.h 6.13) and the daemon's state directory.
    [[nodiscard]] PluginMetrics& metrics() noexcept { return metrics_; }
    [[nodiscard]] const PluginMetrics& metrics() const noexcept { return metrics_; }
    [[nodiscard]] const std::string& state_directory() const noexcept {
        return services_.state_directory;
    }
    // What its code costs and does (busy time, polls, tasks, failures, jobs, messages).
    [[nodiscard]] PluginStats& stats() noexcept { return stats_; }
    [[nodiscard]] const PluginStats& stats() const noexcept { return stats_; }
    // Received messages not yet released (plugin.h section 4), for the unload log line.
    std::atomic<std::int64_t> messages_held{0};

    // Hooks. init/start return false after logging the failure (the plugin is then failed).
    bool init(const nlohmann::json& config);
    bool start();
    // Whether it has a reconfigure hook (ABI 1.4).
    [[nodiscard]] bool can_reconfigure() const noexcept;
    // A live reload changed only its config: calls the reconfigure hook. True when the plugin
    // took it (config() is the new one); false with `why` when it refused it or has no hook (the
    // caller restarts it). Only while running.
    bool reconfigure(const nlohmann::json& config, std::string& why);
    void stop();
    // Fires the shutdown token (running/initialised -> stopping).
    void request_shutdown();
    // The plugin's channel handles may no longer send (plugin.h 6.7): called once the plugin has
    // no task left after its token fired, or when it is unloaded.
    void retire_senders() noexcept;
    // Aborts every task; later spawns fail with WEFT_ERR_SHUTDOWN.
    void cancel_tasks();
    // The same, but blocking jobs already submitted run to their end (a live reload's drain:
    // what the plugin handed to them, such as a batch to write, is not lost).
    void cancel_tasks_keeping_blocking_jobs();
    // True when every task state was dropped before `deadline`.
    bool wait_tasks_until(std::chrono::steady_clock::time_point deadline);
    // Releases its job registrations, calls destroy (once, if init succeeded), then closes what
    // the plugin left open.
    void destroy();
    // dlcloses the library. Only when no task of it is live; otherwise leaves it mapped.
    void unload();
    // Instead of destroy and unload, when a task or blocking job of the plugin could not be
    // dropped in time (or a hook of it is still running): plugin.h promises destroy only after
    // every task and job was dropped, so destroy is skipped, nothing the plugin may still use is
    // closed, the library stays mapped, and the log says why. The instance must then outlive
    // the process's use of it (Coordinator leaks it).
    void abandon(std::string_view why);
    [[nodiscard]] bool abandoned() const noexcept { return abandoned_; }

    void mark_failed(std::string reason);

   private:
    // Runs a hook under the hook deadline (hook_call.hpp). Past it, logs the plugin's and the
    // hook's names, marks the plugin failed, and remembers the hook: no other hook runs then.
    HookResult run_hook(const char* hook, const void* code, HookFunction call);

    std::string name_;
    PluginLibrary library_;
    std::string plugin_name_;
    std::string plugin_version_;
    std::string abi_;
    HostServices services_;
    std::shared_ptr<spdlog::logger> logger_;
    TaskTracker tasks_;
    TaskWatchList task_watches_;
    ShutdownToken token_;
    OpenHandles handles_;
    JobRegistrations job_functions_;
    std::atomic<PluginState> state_{PluginState::loaded};  // read by plugins() on any thread
    mutable std::mutex failure_mutex_;
    std::string failure_;
    // Every config it had (init's, then each reconfigure's); config_ points to the last.
    std::vector<std::unique_ptr<const nlohmann::json>> configs_;
    std::atomic<const nlohmann::json*> config_;
    PluginMetrics metrics_;
    PluginStats stats_;
    void* instance_ = nullptr;
    bool initialised_ = false;
    bool destroyed_ = false;
    bool abandoned_ = false;
    const char* stuck_hook_ = nullptr;
    CrashIdentity crash_;
};

}  // namespace weft::host
