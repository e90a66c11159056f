// Coordinator::apply, a live reload: steps R1-R9 of coordinator.hpp, in that order.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "host/crash/crash_record.hpp"
#include "host/daemon/config_diff.hpp"
#include "host/daemon/coordinator.hpp"
#include "host/daemon/job_targets.hpp"
#include "host/jobs/scheduler.hpp"

namespace weft::host {
namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

const PluginConfig* plugin_named(const Config& c, std::string_view name) {
    for (const auto& p : c.plugins)
        if (p.name == name && p.enabled) return &p;
    return nullptr;
}

std::string describe(ChannelKind kind, std::uint32_t capacity) {
    if (kind == ChannelKind::watch) return "watch";
    return fmt::format("{} with capacity {}", to_string(kind), capacity);
}

}  // namespace

Coordinator::ApplyReport Coordinator::apply(const Config& next) {
    ApplyReport report;
    if (shut_down_) {
        report.refused.push_back("weftd is shutting down");
        return report;
    }
    ConfigDiff diff = diff_configs(config_, next);

    // R1. What cannot change live refuses the whole reload. A channel the new file declares may
    // already exist, created by a plugin's open: it must agree.
    report.refused = diff.refused;
    for (const ChannelReport& c : registry_->report()) {
        const auto it = next.channels.find(c.name);
        if (it == next.channels.end() || config_.channels.contains(c.name)) continue;
        const ChannelConfig& want = it->second;
        const std::uint32_t capacity = want.kind == ChannelKind::watch ? 1 : *want.capacity;
        if (want.kind != c.kind || (c.kind != ChannelKind::watch && capacity != c.capacity))
            report.refused.push_back(fmt::format(
                "/channels/{}: channel '{}' exists as {} (opened by a plugin); declaring it {} "
                "needs a restart",
                c.name, c.name, describe(c.kind, c.capacity), describe(want.kind, capacity)));
    }
    if (!report.refused.empty()) return report;

    // A plugin whose entry is the same but whose library file was replaced is changed too.
    for (const auto& p : next.plugins) {
        if (!p.enabled || contains(diff.plugins_added, p.name) ||
            contains(diff.plugins_changed, p.name))
            continue;
        const auto stamp = library_stamp(resolve_plugin_path(p.path, options_.plugin_dir));
        const auto it = stamps_.find(p.name);
        // Never loaded (its file was missing or unreadable) and there now: worth a try.
        const bool appeared = it == stamps_.end() && stamp && find(p.name) == nullptr &&
                              !options_.quarantined.contains(p.name);
        if (appeared || (it != stamps_.end() && (!stamp || *stamp != it->second))) {
            diff.plugins_changed.push_back(p.name);
            spdlog::info("reload: the library of plugin '{}' changed on disk", p.name);
        }
    }

    // R2. New named objects, before any plugin that may open them starts.
    for (const auto& name : diff.channels_added) {
        if (auto error = registry_->declare_channel(name, next.channels.at(name)))
            report.failures.push_back(*error);
        else
            report.changes.push_back(fmt::format("added channel '{}'", name));
    }
    for (const auto& name : diff.semaphores_added) {
        if (auto error = registry_->declare_semaphore(name, next.semaphores.at(name)))
            report.failures.push_back(*error);
        else
            report.changes.push_back(fmt::format("added semaphore '{}'", name));
    }
    for (const auto& name : diff.pools_added) {
        if (registry_->pools().add(name, next.pools.at(name)))
            report.changes.push_back(fmt::format("added pool '{}'", name));
        else
            report.failures.push_back(fmt::format("pool '{}' could not be added", name));
    }

    // R3. Until the end of the reload, a channel with a receiver keeps one.
    const Registry::ReceiverHold hold = registry_->hold_receivers();

    // R4. Reconfigure what can be; the rest of the changed plugins restart.
    std::vector<std::string> restart;
    for (const auto& name : diff.plugins_changed) {
        PluginInstance* p = find(name);
        if (p != nullptr && p->state() == PluginState::running &&
            contains(diff.plugins_config_only, name) && p->can_reconfigure()) {
            const PluginConfig& entry = *plugin_named(next, name);
            std::string why;
            if (p->reconfigure(entry.config, why)) {
                p->set_crash_key(crash_config_key(entry));
                report.changes.push_back(fmt::format("reconfigured plugin '{}'", name));
                continue;
            }
            p->log().warn("reconfigure refused ({}): restarting it with the new config", why);
        }
        restart.push_back(name);
    }

    // R5. No job run starts on a plugin about to go.
    std::vector<std::string> going = diff.plugins_removed;
    going.insert(going.end(), restart.begin(), restart.end());
    if (!going.empty() && scheduler_) rebind_jobs(going, false);

    // R6. Drain them together, as the shutdown does.
    std::vector<PluginInstance*> drained;
    for (PluginInstance* p : all_instances())
        if (contains(going, p->name())) drained.push_back(p);
    if (!drained.empty()) {
        std::string names;
        for (const PluginInstance* p : drained)
            names += fmt::format("{}'{}'", names.empty() ? "" : ", ", p->name());
        spdlog::info("reload: stopping {}: waiting up to {} ms for their tasks", names,
                     options_.grace_period.count());
        drain(drained);
        forget_instances(drained);
        // Their job targets: no binding refers to them since R5, and their runs were dropped
        // (an abandoned plugin's may still run: its target stays, leaked with it).
        std::erase_if(job_targets_, [&](const std::unique_ptr<PluginJobTarget>& t) {
            const PluginInstance* owner = &t->plugin();
            if (std::find(drained.begin(), drained.end(), owner) == drained.end()) return false;
            for (const auto& a : abandoned_)
                if (a.get() == owner) return false;
            return true;
        });
    }
    for (const auto& name : going) {
        forget_failure(name);
        if (contains(diff.plugins_removed, name)) {
            options_.quarantined.erase(name);
            std::lock_guard lock(summaries_mutex_);
            stamps_.erase(name);
        }
    }
    for (const auto& name : diff.plugins_removed)
        report.changes.push_back(fmt::format("removed plugin '{}'", name));

    // New settings for what starts from now on (hook deadline, grace period of the shutdown).
    options_.grace_period = std::chrono::milliseconds(next.shutdown.grace_period_ms);
    options_.cancel_timeout = std::chrono::milliseconds(next.shutdown.blocking_timeout_ms);
    options_.hook_timeout = std::chrono::milliseconds(next.shutdown.hook_timeout_ms);

    // R7. Load and init in config order, then start.
    std::vector<PluginInstance*> fresh;
    for (const PluginConfig& entry : next.plugins) {
        if (!entry.enabled) continue;
        const bool added = contains(diff.plugins_added, entry.name);
        if (!added && !contains(restart, entry.name)) continue;
        // A quarantined plugin is released by a change of its config (crash_record.hpp).
        options_.quarantined.erase(entry.name);
        load(entry);
        if (PluginInstance* p = find(entry.name)) fresh.push_back(p);
    }
    for (PluginInstance* p : fresh) {
        const bool added = contains(diff.plugins_added, p->name());
        if (p->state() == PluginState::initialised && p->start()) {
            report.changes.push_back(
                fmt::format("{} plugin '{}'", added ? "added" : "restarted", p->name()));
            continue;
        }
        if (p->state() == PluginState::initialised || p->state() == PluginState::failed) {
            const std::string why = p->failure();
            // As at start: destroyed (if init succeeded) and unloaded; a second time is a no-op.
            tear_down(*p);
            report.failures.push_back(fmt::format("plugin '{}' failed to start: {}", p->name(),
                                                  why.empty() ? "see the log" : why));
        }
    }
    for (const auto& name : restart) {
        if (find(name) == nullptr) {  // failed to load: record_failure has the reason
            for (const auto& s : plugins())
                if (s.name == name && s.state == PluginState::failed)
                    report.failures.push_back(
                        fmt::format("plugin '{}' failed to load: {}", name, s.failure));
        }
    }
    for (const auto& name : diff.plugins_added) {
        if (find(name) == nullptr) {
            for (const auto& s : plugins())
                if (s.name == name && s.state == PluginState::failed)
                    report.failures.push_back(
                        fmt::format("plugin '{}' failed to load: {}", name, s.failure));
        }
    }

    // The new config is the running one (jobs bind against it).
    {
        std::lock_guard lock(summaries_mutex_);
        config_ = next;
    }

    // R8. Bind every job again; registrations of the new instances close as at start.
    if (scheduler_) {
        rebind_jobs({}, true);
        for (PluginInstance* p : fresh) p->job_functions().close();
    }
    for (const auto& name : diff.jobs_added) report.changes.push_back("added job '" + name + "'");
    for (const auto& name : diff.jobs_removed)
        report.changes.push_back("removed job '" + name + "'");
    for (const auto& name : diff.jobs_changed)
        report.changes.push_back("rescheduled job '" + name + "'");

    // R9. What the file no longer declares goes once unused.
    for (const auto& name : diff.channels_removed) {
        registry_->retire_channel(name);
        report.changes.push_back(fmt::format("removed channel '{}'", name));
    }
    for (const auto& name : diff.semaphores_removed) {
        registry_->retire_semaphore(name);
        report.changes.push_back(fmt::format("removed semaphore '{}'", name));
    }
    for (const auto& name : diff.pools_removed) {
        registry_->pools().remove(name);
        report.changes.push_back(fmt::format("removed pool '{}'", name));
    }
    registry_->prune_retired();
    return report;
}

void Coordinator::rebind_jobs(const std::vector<std::string>& paused, bool log) {
    auto bindings = bind_jobs(
        config_.jobs,
        [&](std::string_view name, std::string& why) -> PluginInstance* {
            if (contains(paused, name)) {
                why = "is being stopped by a reload";
                return nullptr;
            }
            return running_plugin(name, why);
        },
        job_targets_);
    scheduler_->update(std::move(bindings), log);
}

void Coordinator::drain(const std::vector<PluginInstance*>& plugins) {
    const auto started = Clock::now();
    for (PluginInstance* p : plugins) p->request_shutdown();
    wait_for_tasks(plugins, started + options_.grace_period);
    for (PluginInstance* p : plugins) {
        if (const auto live = p->tasks().live(); live != 0)
            p->log().warn("{} tasks still running after the grace period ({} ms): cancelling them",
                          live, options_.grace_period.count());
    }
    for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) (*it)->stop();
    // Unlike the shutdown, blocking jobs already queued still run (the wait below bounds them),
    // and so do those a task submits in the poll it is in when cancelled: a batch a consumer
    // received and handed to the pool to write is written before its successor starts.
    for (PluginInstance* p : plugins) p->cancel_tasks_keeping_blocking_jobs();
    const auto cancel_deadline = Clock::now() + options_.cancel_timeout;
    for (PluginInstance* p : plugins) {
        if (!p->wait_tasks_until(cancel_deadline))
            p->log().error("{} tasks still running {} ms after they were cancelled",
                           p->tasks().live(), options_.cancel_timeout.count());
        // From here a job is refused (one a thread of the plugin's own submitted since the
        // wait is counted live: finish() abandons the plugin rather than destroy it under it).
        p->tasks().close();
    }
    for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) finish(**it);
}

void Coordinator::forget_instances(const std::vector<PluginInstance*>& plugins) {
    std::vector<std::unique_ptr<PluginInstance>> gone;
    {
        std::lock_guard lock(summaries_mutex_);
        for (auto it = instances_.begin(); it != instances_.end();) {
            if (std::find(plugins.begin(), plugins.end(), it->get()) == plugins.end()) {
                ++it;
                continue;
            }
            if ((*it)->abandoned())
                abandoned_.push_back(std::move(*it));
            else
                gone.push_back(std::move(*it));
            it = instances_.erase(it);
        }
    }
    // Destroyed outside the lock: every task of theirs was dropped, their library closed.
    gone.clear();
}

void Coordinator::forget_failure(std::string_view name) {
    std::lock_guard lock(summaries_mutex_);
    std::erase_if(load_failures_, [&](const PluginSummary& s) { return s.name == name; });
}

}  // namespace weft::host
