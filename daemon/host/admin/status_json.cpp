#include "host/admin/status_json.hpp"

#include "host/admin/accounting_text.hpp"
#include "host/admin/plugin_metrics_text.hpp"
#include "host/admin/pool_status.hpp"
#include "host/admin/reload_json.hpp"
#include "host/admin/utc_time.hpp"

namespace weft::host::admin {
namespace {

using nlohmann::json;

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

json worker_json(std::size_t index, const WorkerMetrics& w) {
    return json{{"index", index},
                {"polls", w.polls},
                {"steals", w.steals},
                {"steal_operations", w.steal_operations},
                {"parks", w.parks},
                {"unparks", w.unparks},
                {"overflows", w.overflows},
                {"lifo_hits", w.lifo_hits},
                {"budget_forced_yields", w.budget_forced_yields},
                {"local_queue_depth", w.local_queue_depth},
                {"busy_seconds", seconds(w.busy_time)},
                {"longest_poll_seconds", seconds(w.longest_poll)},
                {"current_poll_seconds", seconds(w.current_poll)}};
}

json runtime_json(const RuntimeMetrics& m) {
    json workers = json::array();
    for (std::size_t i = 0; i < m.workers.size(); ++i)
        workers.push_back(worker_json(i, m.workers[i]));
    return json{{"worker_threads", m.num_workers},
                {"alive_tasks", m.alive_tasks},
                {"spawned_tasks", m.spawned_tasks},
                {"global_queue_depth", m.global_queue_depth},
                {"blocking_threads", m.blocking_threads},
                {"idle_blocking_threads", m.idle_blocking_threads},
                {"blocking_queue_depth", m.blocking_queue_depth},
                {"abandoned_blocking_threads", m.abandoned_blocking_threads},
                {"poll_time_histogram", m.poll_time_histogram},
                {"workers", std::move(workers)}};
}

json plugin_json(const PluginSummary& p) {
    return json{{"name", p.name},
                {"path", p.path.string()},
                {"plugin_name", p.plugin_name},
                {"version", p.version},
                {"abi", p.abi},
                {"state", to_string(p.state)},
                {"failure", p.failure},
                {"live_tasks", p.live_tasks},
                {"metrics", plugin_metrics_json(p.metrics)},
                {"accounting", plugin_accounting_json(p.stats)}};
}

json job_json(const JobSummary& j) {
    json next;  // null: not scheduled, or no occurrence left
    if (j.next_run)
        next = {{"time", utc_time_text(*j.next_run)}, {"unix_time", unix_seconds(*j.next_run)}};
    json last;  // null: no run ended yet
    if (j.last_run)
        last = {{"run", j.last_run->run},
                {"result", j.last_run->result},
                {"message", j.last_run->message},
                {"time", utc_time_text(j.last_run->ended)},
                {"unix_time", unix_seconds(j.last_run->ended)},
                {"took_ms", j.last_run->took.count()}};
    return json{{"name", j.name},
                {"plugin", j.plugin},
                {"task", j.task},
                {"schedule", j.schedule},
                {"priority", j.priority},
                {"overlap", to_string(j.overlap)},
                {"scheduled", j.scheduled},
                {"problem", j.problem},
                {"running", j.running},
                {"runs",
                 {{"started", j.counts.started},
                  {"succeeded", j.counts.succeeded},
                  {"failed", j.counts.failed},
                  {"cancelled", j.counts.cancelled},
                  {"skipped", j.counts.skipped}}},
                {"next_run", std::move(next)},
                {"last_run", std::move(last)}};
}

json channel_json(const ChannelReport& c) {
    return json{
        {"name", c.name},         {"kind", to_string(c.kind)}, {"capacity", c.capacity},
        {"accepted", c.accepted}, {"delivered", c.delivered},  {"dropped", c.dropped},
        {"lagged", c.lagged},     {"unheard", c.unheard},      {"no_receiver", c.no_receiver}};
}

template <class T, class F>
json array_of(const std::vector<T>& items, F&& one) {
    json out = json::array();
    for (const T& item : items) out.push_back(one(item));
    return out;
}

}  // namespace

json render_status(const AdminSnapshot& s) {
    return json{{"version", s.version},
                {"pid", s.pid},
                {"uptime_seconds", s.uptime_seconds},
                {"shutting_down", s.shutting_down},
                {"shutdown_bound_ms", s.shutdown_bound_ms},
                {"runtime", runtime_json(s.runtime)},
                {"plugins", array_of(s.plugins, plugin_json)},
                {"jobs", array_of(s.jobs, job_json)},
                {"channels", array_of(s.channels, channel_json)},
                {"pools", pools_json(s.pools)},
                {"last_reload", s.last_reload ? reload_json(*s.last_reload) : json()}};
}

}  // namespace weft::host::admin
