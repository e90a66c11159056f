#include "host/daemon/coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "host/crash/crash_record.hpp"
#include "host/daemon/job_targets.hpp"
#include "host/jobs/scheduler.hpp"

namespace weft::host {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

std::uint64_t shutdown_bound_ms(const Config& config) noexcept {
    std::uint64_t plugins = 0;
    for (const auto& p : config.plugins) plugins += p.enabled ? 1 : 0;
    const auto& s = config.shutdown;
    return std::uint64_t{s.grace_period_ms} + 2 * plugins * std::uint64_t{s.hook_timeout_ms} +
           2 * std::uint64_t{s.blocking_timeout_ms};
}

std::string shutdown_bound_terms(const Config& config) {
    std::uint64_t plugins = 0;
    for (const auto& p : config.plugins) plugins += p.enabled ? 1 : 0;
    const auto& s = config.shutdown;
    return fmt::format(
        "grace_period_ms {} + 2 hooks x {} plugins x hook_timeout_ms {} + 2 x "
        "blocking_timeout_ms {}",
        s.grace_period_ms, plugins, s.hook_timeout_ms, s.blocking_timeout_ms);
}

Coordinator::Coordinator(Handle runtime, const Config& config, CoordinatorOptions options)
    : runtime_(std::move(runtime)),
      config_(config),
      options_(std::move(options)),
      registry_(std::make_unique<Registry>(config_)) {
    if (options_.state_directory.empty())
        options_.state_directory = resolve_state_directory(config_, process_environment());
    registry_->pools().start(runtime_);  // tcp pools start keeping min_idle warm
}

Coordinator::~Coordinator() {
    try {
        shutdown();
    } catch (const std::exception& e) {
        spdlog::error("plugin host shutdown failed: {}", e.what());
    } catch (...) {
        spdlog::error("plugin host shutdown failed");
    }
    // An abandoned plugin's tasks, jobs or hooks may still run and refer to its instance and to
    // the registry's objects: both are deliberately leaked, with the plugin's library.
    bool leaked = !abandoned_.empty();
    for (auto& p : abandoned_) static_cast<void>(p.release());
    for (auto& p : instances_) {
        if (p && p->abandoned()) {
            static_cast<void>(p.release());
            leaked = true;
        }
    }
    if (leaked) {
        static_cast<void>(registry_.release());
        for (auto& t : job_targets_) static_cast<void>(t.release());
    }
}

// ---- Start ------------------------------------------------------------------------------------

// Step 1.
std::size_t Coordinator::start_all() {
    // 1a. load, check and init each enabled plugin, in config order.
    for (const PluginConfig& plugin : config_.plugins) {
        if (!plugin.enabled) {
            spdlog::info("plugin '{}' is disabled in the config: not loaded", plugin.name);
            continue;
        }
        if (const auto q = options_.quarantined.find(plugin.name);
            q != options_.quarantined.end()) {
            spdlog::error("plugin '{}' is quarantined: {}", plugin.name, q->second);
            std::lock_guard lock(summaries_mutex_);
            load_failures_.push_back(
                PluginSummary{plugin.name,
                              resolve_plugin_path(plugin.path, options_.plugin_dir),
                              {},
                              {},
                              {},
                              PluginState::quarantined,
                              q->second,
                              0});
            continue;
        }
        load(plugin);
    }
    // 1b. start each that initialised, in the same order.
    for (const auto& p : instances_) {
        if (p->state() == PluginState::initialised && !p->start()) tear_down(*p);
    }
    std::size_t failed = 0;
    for (const auto& s : plugins()) failed += s.state == PluginState::failed ? 1 : 0;
    return failed;
}

// Step 2.
std::size_t Coordinator::start_jobs() {
    if (scheduler_ || shut_down_) return 0;
    auto bindings = bind_jobs(
        config_.jobs,
        [this](std::string_view name, std::string& why) { return running_plugin(name, why); },
        job_targets_);
    // Bound once: a task function registered later could serve no job.
    for (const auto& p : instances_) p->job_functions().close();
    std::size_t unbound = 0;
    for (const auto& b : bindings) unbound += b.bound() ? 0 : 1;
    auto scheduler = std::make_unique<JobScheduler>(std::move(bindings));
    scheduler->start();
    std::lock_guard lock(summaries_mutex_);
    scheduler_ = std::move(scheduler);
    return unbound;
}

// ---- Shutdown ---------------------------------------------------------------------------------

void Coordinator::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    // 0. First of all, as DESIGN.md's shutdown says: stop starting jobs.
    if (scheduler_) scheduler_->stop();
    if (instances_.empty()) {
        registry_->begin_shutdown();
        registry_->finish_shutdown();
        return;
    }
    const auto started = Clock::now();
    // 1. the registry enters shutdown; 2. every plugin's token fires.
    registry_->begin_shutdown();
    for (const auto& p : instances_) p->request_shutdown();
    spdlog::info("shutdown requested of {} plugins: waiting up to {} ms for their tasks",
                 instances_.size(), options_.grace_period.count());

    // 3. the grace period.
    wait_for_tasks(all_instances(), started + options_.grace_period);
    for (const auto& p : instances_) {
        if (const auto live = p->tasks().live(); live != 0) {
            p->log().warn(
                "{} tasks still running after the grace period ({} ms): cancelling "
                "them",
                live, options_.grace_period.count());
        }
    }

    // 4. stop hooks, in reverse load order.
    for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) (*it)->stop();

    // 5. cancel what still runs.
    for (const auto& p : instances_) p->cancel_tasks();
    const auto cancel_deadline = Clock::now() + options_.cancel_timeout;
    for (const auto& p : instances_) {
        if (!p->wait_tasks_until(cancel_deadline)) {
            p->log().error("{} tasks still running {} ms after they were cancelled",
                           p->tasks().live(), options_.cancel_timeout.count());
        }
    }

    // 6. destroy and unload (or abandon), in reverse load order; 7. the registry's report;
    // 8. the jobs' counts.
    for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) finish(**it);
    registry_->finish_shutdown();
    if (scheduler_) scheduler_->log_summaries();
    spdlog::info(
        "plugins shut down in {} ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
}

// ---- While running: what the admin endpoint and a reload read ---------------------------------

std::vector<PluginSummary> Coordinator::plugins() const {
    std::lock_guard lock(summaries_mutex_);
    std::vector<PluginSummary> out = load_failures_;
    for (const auto& p : instances_) {
        out.push_back(PluginSummary{p->name(), p->path(), p->plugin_name(), p->plugin_version(),
                                    p->abi(), p->state(), p->failure(), p->tasks().live(),
                                    p->metrics().snapshot(), p->stats().snapshot()});
    }
    return out;
}

std::vector<PluginTasks> Coordinator::tasks() const {
    std::lock_guard lock(summaries_mutex_);
    const std::chrono::milliseconds long_poll(config_.runtime.long_poll_threshold_ms);
    std::vector<PluginTasks> out;
    for (const auto& p : instances_)
        out.push_back(PluginTasks{p->name(), p->task_watches().views(long_poll)});
    return out;
}

std::vector<JobSummary> Coordinator::jobs() const {
    const JobScheduler* scheduler = nullptr;
    {
        std::lock_guard lock(summaries_mutex_);
        scheduler = scheduler_.get();
    }
    // Outside the lock: the scheduler takes its own, and lives as long as this host.
    return scheduler ? scheduler->summaries() : std::vector<JobSummary>{};
}

void Coordinator::set_log_level(spdlog::level::level_enum level) const {
    for (const auto& p : instances_) p->log().set_level(level);
}

PluginInstance* Coordinator::find(std::string_view name) noexcept {
    std::lock_guard lock(summaries_mutex_);
    for (const auto& p : instances_)
        if (p->name() == name) return p.get();
    return nullptr;
}

std::uint64_t Coordinator::shutdown_bound_ms() const {
    std::lock_guard lock(summaries_mutex_);
    return host::shutdown_bound_ms(config_);
}

Config Coordinator::config() const {
    std::lock_guard lock(summaries_mutex_);
    return config_;
}

void Coordinator::record_reload(ReloadOutcome outcome) {
    std::lock_guard lock(summaries_mutex_);
    last_reload_ = std::move(outcome);
}

std::optional<ReloadOutcome> Coordinator::last_reload() const {
    std::lock_guard lock(summaries_mutex_);
    return last_reload_;
}

std::vector<PluginInstance*> Coordinator::all_instances() const {
    std::lock_guard lock(summaries_mutex_);
    std::vector<PluginInstance*> out;
    for (const auto& p : instances_) out.push_back(p.get());
    return out;
}

std::size_t Coordinator::abandoned() const {
    std::lock_guard lock(summaries_mutex_);
    std::size_t n = abandoned_.size();
    for (const auto& p : instances_) n += p->abandoned() ? 1 : 0;
    return n;
}

// ---- The steps' parts --------------------------------------------------------------------------

void Coordinator::load(const PluginConfig& plugin) {
    fs::path path = resolve_plugin_path(plugin.path, options_.plugin_dir);
    LoadResult loaded = open_plugin_library(path);
    if (auto* error = std::get_if<LoadError>(&loaded)) {
        record_failure(plugin, std::move(path), std::move(error->message));
        return;
    }
    auto instance = std::make_unique<PluginInstance>(
        plugin.name, std::get<PluginLibrary>(std::move(loaded)),
        HostServices{runtime_, registry_.get(), idle_, options_.hook_timeout,
                     options_.state_directory.string()});
    PluginInstance& p = *instance;
    p.set_crash_key(crash_config_key(plugin));
    {
        std::lock_guard lock(summaries_mutex_);
        instances_.push_back(std::move(instance));
        if (auto stamp = library_stamp(p.path()))
            stamps_.insert_or_assign(plugin.name, *stamp);
        else
            stamps_.erase(plugin.name);
    }
    if (!p.init(plugin.config)) tear_down(p);
}

void Coordinator::record_failure(const PluginConfig& plugin, fs::path path, std::string why) {
    spdlog::error("plugin '{}': {}", plugin.name, why);
    std::lock_guard lock(summaries_mutex_);
    load_failures_.push_back(PluginSummary{
        plugin.name, std::move(path), {}, {}, {}, PluginState::failed, std::move(why), 0});
}

PluginInstance* Coordinator::running_plugin(std::string_view name, std::string& why) {
    if (PluginInstance* p = find(name)) {
        if (p->state() == PluginState::running) return p;
        const std::string failure = p->failure();
        why = p->state() == PluginState::failed ? "failed (" + failure + ")"
                                                : "is " + std::string(to_string(p->state()));
        return nullptr;
    }
    for (const auto& s : plugins()) {
        if (s.name == name && s.state == PluginState::quarantined) {
            why = "is quarantined: " + s.failure;
            return nullptr;
        }
        if (s.name == name) {
            why = "failed to load: " + s.failure;
            return nullptr;
        }
    }
    for (const auto& p : config_.plugins) {
        if (p.name == name && !p.enabled) {
            why = "is disabled in the config";
            return nullptr;
        }
    }
    why = "is not loaded";
    return nullptr;
}

void Coordinator::tear_down(PluginInstance& p) {
    p.request_shutdown();
    p.cancel_tasks();
    if (!p.wait_tasks_until(Clock::now() + options_.cancel_timeout)) {
        p.log().error("{} tasks still running {} ms after they were cancelled", p.tasks().live(),
                      options_.cancel_timeout.count());
    }
    finish(p);
}

void Coordinator::wait_for_tasks(const std::vector<PluginInstance*>& plugins,
                                 Clock::time_point deadline) {
    std::vector<bool> retired(plugins.size(), false);
    auto newly_idle = [&] {
        for (std::size_t i = 0; i < plugins.size(); ++i)
            if (!retired[i] && plugins[i]->tasks().live() == 0) return true;
        return false;
    };
    while (true) {
        bool all_idle = true;
        for (std::size_t i = 0; i < plugins.size(); ++i) {
            if (plugins[i]->tasks().live() != 0) {
                all_idle = false;
            } else if (!retired[i]) {
                // Its last task finished: what it sent is all it will send.
                plugins[i]->retire_senders();
                retired[i] = true;
            }
        }
        if (all_idle || Clock::now() >= deadline) return;
        std::unique_lock lock(idle_->mutex);
        idle_->cv.wait_until(lock, deadline, newly_idle);
    }
}

void Coordinator::finish(PluginInstance& p) {
    p.retire_senders();
    if (const auto live = p.tasks().live(); live != 0) {
        p.abandon(
            fmt::format("{} tasks or blocking jobs were not dropped within {} ms of their "
                        "cancellation",
                        live, options_.cancel_timeout.count()));
        return;
    }
    auto abandon_if_hook_runs = [&p] {
        const char* hook = p.hook_still_running();
        if (hook != nullptr) p.abandon(fmt::format("its {} did not return", hook));
        return hook != nullptr;
    };
    if (abandon_if_hook_runs()) return;
    p.destroy();
    if (abandon_if_hook_runs()) return;
    p.unload();
}

}  // namespace weft::host
