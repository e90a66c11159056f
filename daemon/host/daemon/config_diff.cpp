#include "host/daemon/config_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace weft::host {
namespace {

const PluginConfig* enabled_plugin(const Config& c, const std::string& name) {
    for (const auto& p : c.plugins)
        if (p.name == name && p.enabled) return &p;
    return nullptr;
}

const JobConfig* job_named(const Config& c, const std::string& name) {
    for (const auto& j : c.jobs)
        if (j.name == name) return &j;
    return nullptr;
}

bool same_schedule(const JobSchedule& a, const JobSchedule& b) {
    if (a.index() != b.index()) return false;
    if (const auto* i = std::get_if<IntervalSchedule>(&a))
        return i->interval_ms == std::get<IntervalSchedule>(b).interval_ms;
    if (const auto* c = std::get_if<CronJobSchedule>(&a))
        return c->expression == std::get<CronJobSchedule>(b).expression;
    return std::get<OnceAfterSchedule>(a).delay_ms == std::get<OnceAfterSchedule>(b).delay_ms;
}

bool same_pool(const NamedPoolConfig& a, const NamedPoolConfig& b) {
    auto fields = [](const NamedPoolConfig& p) {
        return std::tie(p.kind, p.address, p.max_size, p.min_idle, p.idle_timeout_ms,
                        p.max_lifetime_ms, p.acquire_timeout_ms, p.connect_timeout_ms);
    };
    return fields(a) == fields(b);
}

std::string describe(const ChannelConfig& c) {
    if (c.kind == ChannelKind::watch) return "watch";
    return fmt::format("{} with capacity {}", to_string(c.kind), c.capacity.value_or(1));
}

// Names only in `a`'s map, in its order.
template <class Map>
std::vector<std::string> only_in(const Map& a, const Map& b) {
    std::vector<std::string> out;
    for (const auto& [name, value] : a)
        if (!b.contains(name)) out.push_back(name);
    return out;
}

}  // namespace

bool same_plugin(const PluginConfig& a, const PluginConfig& b) {
    return a.name == b.name && a.path == b.path && a.config == b.config && a.enabled == b.enabled;
}

bool same_job(const JobConfig& a, const JobConfig& b) {
    return a.name == b.name && a.plugin == b.plugin && a.task == b.task &&
           same_schedule(a.schedule, b.schedule) && a.priority == b.priority &&
           a.overlap == b.overlap;
}

ConfigDiff diff_configs(const Config& running, const Config& next) {
    ConfigDiff d;
    for (const auto& p : running.plugins)
        if (p.enabled && !enabled_plugin(next, p.name)) d.plugins_removed.push_back(p.name);
    for (const auto& p : next.plugins) {
        if (!p.enabled) continue;
        const PluginConfig* before = enabled_plugin(running, p.name);
        if (before == nullptr) {
            d.plugins_added.push_back(p.name);
        } else if (!same_plugin(*before, p)) {
            d.plugins_changed.push_back(p.name);
            if (before->path == p.path) d.plugins_config_only.push_back(p.name);
        }
    }
    for (const auto& j : running.jobs)
        if (!job_named(next, j.name)) d.jobs_removed.push_back(j.name);
    for (const auto& j : next.jobs) {
        const JobConfig* before = job_named(running, j.name);
        if (before == nullptr)
            d.jobs_added.push_back(j.name);
        else if (!same_job(*before, j))
            d.jobs_changed.push_back(j.name);
    }

    d.channels_added = only_in(next.channels, running.channels);
    d.channels_removed = only_in(running.channels, next.channels);
    for (const auto& [name, c] : next.channels) {
        const auto it = running.channels.find(name);
        if (it == running.channels.end()) continue;
        if (it->second.kind != c.kind ||
            (c.kind != ChannelKind::watch && it->second.capacity != c.capacity))
            d.refused.push_back(fmt::format(
                "/channels/{}: channel '{}' is {}; changing it to {} needs a restart (its "
                "messages and handles live in the running channel)",
                name, name, describe(it->second), describe(c)));
    }
    d.semaphores_added = only_in(next.semaphores, running.semaphores);
    d.semaphores_removed = only_in(running.semaphores, next.semaphores);
    for (const auto& [name, permits] : next.semaphores) {
        const auto it = running.semaphores.find(name);
        if (it != running.semaphores.end() && it->second != permits)
            d.refused.push_back(fmt::format(
                "/semaphores/{}: semaphore '{}' has {} permits; changing it to {} needs a restart "
                "(permits may be held)",
                name, name, it->second, permits));
    }
    d.pools_added = only_in(next.pools, running.pools);
    d.pools_removed = only_in(running.pools, next.pools);
    for (const auto& [name, pool] : next.pools) {
        const auto it = running.pools.find(name);
        if (it != running.pools.end() && !same_pool(it->second, pool))
            d.refused.push_back(fmt::format(
                "/pools/{}: changing pool '{}' needs a restart (its resources may be in use)", name,
                name));
    }

    const auto& l = running.log;
    const auto& nl = next.log;
    d.log_changed =
        std::tie(l.level, l.format, l.target) != std::tie(nl.level, nl.format, nl.target);
    const auto tcp_of = [](const AdminConfig& a) {
        return a.tcp ? fmt::format("{}:{}", a.tcp->host, a.tcp->port) : std::string();
    };
    d.admin_changed =
        running.admin.socket != next.admin.socket || tcp_of(running.admin) != tcp_of(next.admin);
    const auto& s = running.shutdown;
    const auto& ns = next.shutdown;
    d.shutdown_changed = std::tie(s.grace_period_ms, s.blocking_timeout_ms, s.hook_timeout_ms) !=
                         std::tie(ns.grace_period_ms, ns.blocking_timeout_ms, ns.hook_timeout_ms);

    const auto& r = running.runtime;
    const auto& nr = next.runtime;
    if (std::tie(r.flavor, r.worker_threads, r.max_blocking_threads, r.thread_keep_alive_ms,
                 r.global_queue_interval, r.event_interval, r.budget, r.lifo_slot) !=
        std::tie(nr.flavor, nr.worker_threads, nr.max_blocking_threads, nr.thread_keep_alive_ms,
                 nr.global_queue_interval, nr.event_interval, nr.budget, nr.lifo_slot))
        d.needs_restart.push_back("runtime");
    const auto& c = running.crash_loop;
    const auto& nc = next.crash_loop;
    if (std::tie(c.max_crashes, c.window_minutes, c.state_directory) !=
        std::tie(nc.max_crashes, nc.window_minutes, nc.state_directory))
        d.needs_restart.push_back("crash_loop");
    return d;
}

}  // namespace weft::host
