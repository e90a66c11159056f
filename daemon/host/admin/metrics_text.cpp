#include "host/admin/metrics_text.hpp"

#include <array>
#include <cstdint>
#include <string_view>

#include "host/admin/accounting_text.hpp"
#include "host/admin/plugin_metrics_text.hpp"
#include "host/admin/pool_status.hpp"
#include "host/admin/prometheus_writer.hpp"

namespace weft::host::admin {
namespace {

using MetricType::counter;
using MetricType::gauge;

constexpr std::array kPluginStates{PluginState::loaded,   PluginState::initialised,
                                   PluginState::running,  PluginState::stopping,
                                   PluginState::stopped,  PluginState::failed,
                                   PluginState::unloaded, PluginState::quarantined};

std::uint64_t u64(std::size_t n) { return static_cast<std::uint64_t>(n); }

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

// One family with a single unlabelled sample.
template <class T>
void single(PrometheusWriter& w, std::string_view name, std::string_view help, MetricType type,
            T value) {
    w.family(name, help, type);
    w.sample(name, {}, value);
}

void daemon_metrics(PrometheusWriter& w, const AdminSnapshot& s) {
    w.family("weft_build_info", "weftd's version; the value is always 1.", gauge);
    w.sample("weft_build_info", {{"version", s.version}}, std::uint64_t{1});
    single(w, "weft_uptime_seconds", "Seconds since the admin endpoint started.", gauge,
           s.uptime_seconds);
    single(w, "weft_shutting_down", "1 once the daemon's shutdown began, else 0.", gauge,
           std::uint64_t{s.shutting_down ? 1U : 0U});
}

void runtime_metrics(PrometheusWriter& w, const RuntimeMetrics& m) {
    single(w, "weft_runtime_workers", "Worker threads of the runtime.", gauge, u64(m.num_workers));
    single(w, "weft_runtime_alive_tasks", "Tasks spawned and not yet dropped.", gauge,
           u64(m.alive_tasks));
    single(w, "weft_runtime_spawned_tasks_total", "Tasks spawned since the runtime started.",
           counter, m.spawned_tasks);
    single(w, "weft_runtime_global_queue_depth", "Tasks in the global injection queue.", gauge,
           u64(m.global_queue_depth));
    single(w, "weft_runtime_blocking_threads", "Threads of the blocking pool.", gauge,
           u64(m.blocking_threads));
    single(w, "weft_runtime_idle_blocking_threads", "Blocking pool threads waiting for work.",
           gauge, u64(m.idle_blocking_threads));
    single(w, "weft_runtime_blocking_queue_depth", "Blocking work queued, not yet started.", gauge,
           u64(m.blocking_queue_depth));
    single(w, "weft_runtime_abandoned_blocking_threads",
           "Blocking threads left running by a shutdown timeout.", gauge,
           u64(m.abandoned_blocking_threads));
}

struct WorkerCounter {
    std::string_view name;
    std::string_view help;
    std::uint64_t WorkerMetrics::*field;
};

constexpr std::array kWorkerCounters{
    WorkerCounter{"weft_runtime_worker_polls_total", "Tasks polled by the worker.",
                  &WorkerMetrics::polls},
    WorkerCounter{"weft_runtime_worker_steals_total", "Tasks the worker stole from others.",
                  &WorkerMetrics::steals},
    WorkerCounter{"weft_runtime_worker_steal_operations_total",
                  "Successful steal attempts of the worker.", &WorkerMetrics::steal_operations},
    WorkerCounter{"weft_runtime_worker_parks_total", "Times the worker parked.",
                  &WorkerMetrics::parks},
    WorkerCounter{"weft_runtime_worker_unparks_total", "Times the worker was unparked.",
                  &WorkerMetrics::unparks},
    WorkerCounter{"weft_runtime_worker_overflows_total",
                  "Times half the worker's local queue moved to the global queue.",
                  &WorkerMetrics::overflows},
    WorkerCounter{"weft_runtime_worker_lifo_hits_total", "Tasks the worker ran from its LIFO slot.",
                  &WorkerMetrics::lifo_hits},
    WorkerCounter{"weft_runtime_worker_budget_forced_yields_total",
                  "Polls that ended because the task spent its cooperative budget.",
                  &WorkerMetrics::budget_forced_yields},
};

void worker_metrics(PrometheusWriter& w, const RuntimeMetrics& m) {
    std::vector<std::string> index;
    for (std::size_t i = 0; i < m.workers.size(); ++i) index.push_back(std::to_string(i));
    for (const WorkerCounter& c : kWorkerCounters) {
        w.family(c.name, c.help, counter);
        for (std::size_t i = 0; i < m.workers.size(); ++i)
            w.sample(c.name, {{"worker", index[i]}}, m.workers[i].*c.field);
    }
    w.family("weft_runtime_worker_local_queue_depth", "Tasks in the worker's local run queue.",
             gauge);
    for (std::size_t i = 0; i < m.workers.size(); ++i)
        w.sample("weft_runtime_worker_local_queue_depth", {{"worker", index[i]}},
                 u64(m.workers[i].local_queue_depth));
    w.family("weft_runtime_worker_busy_seconds_total", "Time the worker spent polling tasks.",
             counter);
    for (std::size_t i = 0; i < m.workers.size(); ++i)
        w.sample("weft_runtime_worker_busy_seconds_total", {{"worker", index[i]}},
                 seconds(m.workers[i].busy_time));
    w.family("weft_runtime_worker_longest_poll_seconds",
             "The worker's longest poll (weftd times every poll; see runtime.poll_clock).", gauge);
    for (std::size_t i = 0; i < m.workers.size(); ++i)
        w.sample("weft_runtime_worker_longest_poll_seconds", {{"worker", index[i]}},
                 seconds(m.workers[i].longest_poll));
}

void plugin_metrics(PrometheusWriter& w, const std::vector<PluginSummary>& plugins) {
    w.family("weft_plugin_state", "1 for the plugin's current state, 0 for the other states.",
             gauge);
    for (const PluginSummary& p : plugins) {
        for (const PluginState state : kPluginStates) {
            w.sample("weft_plugin_state", {{"plugin", p.name}, {"state", to_string(state)}},
                     std::uint64_t{p.state == state ? 1U : 0U});
        }
    }
    w.family("weft_plugin_live_tasks", "The plugin's tasks and blocking jobs not yet dropped.",
             gauge);
    for (const PluginSummary& p : plugins)
        w.sample("weft_plugin_live_tasks", {{"plugin", p.name}}, u64(p.live_tasks));
}

struct ChannelCounter {
    std::string_view name;
    std::string_view help;
    std::uint64_t ChannelReport::*field;
};

constexpr std::array kChannelCounters{
    ChannelCounter{"weft_channel_accepted_messages_total", "Messages the channel accepted.",
                   &ChannelReport::accepted},
    ChannelCounter{"weft_channel_delivered_messages_total", "Messages received from the channel.",
                   &ChannelReport::delivered},
    ChannelCounter{"weft_channel_dropped_messages_total",
                   "Messages still buffered when their receiver or channel went away.",
                   &ChannelReport::dropped},
    ChannelCounter{"weft_channel_lagged_messages_total",
                   "Broadcast messages that lagging receivers skipped.", &ChannelReport::lagged},
    ChannelCounter{"weft_channel_unheard_messages_total",
                   "Broadcast messages sent while nobody listened.", &ChannelReport::unheard},
    ChannelCounter{"weft_channel_no_receiver_sends_total",
                   "Sends into an mpsc or mpmc channel whose every receiver had closed its "
                   "handle (refused with WEFT_ERR_NO_RECEIVER).",
                   &ChannelReport::no_receiver},
};

void channel_metrics(PrometheusWriter& w, const std::vector<ChannelReport>& channels) {
    w.family("weft_channel_capacity", "Messages the channel buffers (1 for watch channels).",
             gauge);
    for (const ChannelReport& c : channels)
        w.sample("weft_channel_capacity", {{"channel", c.name}, {"kind", to_string(c.kind)}},
                 std::uint64_t{c.capacity});
    for (const ChannelCounter& counter_of : kChannelCounters) {
        w.family(counter_of.name, counter_of.help, counter);
        for (const ChannelReport& c : channels)
            w.sample(counter_of.name, {{"channel", c.name}, {"kind", to_string(c.kind)}},
                     c.*counter_of.field);
    }
}

struct JobCounter {
    std::string_view name;
    std::string_view help;
    std::uint64_t JobCounts::*field;
};

constexpr std::array kJobCounters{
    JobCounter{"weft_job_runs_started_total", "Runs of the job whose start function was called.",
               &JobCounts::started},
    JobCounter{"weft_job_runs_succeeded_total", "Runs of the job that returned WEFT_OK.",
               &JobCounts::succeeded},
    JobCounter{"weft_job_runs_failed_total", "Runs of the job that failed.", &JobCounts::failed},
    JobCounter{"weft_job_runs_cancelled_total", "Runs of the job dropped unfinished.",
               &JobCounts::cancelled},
    JobCounter{"weft_job_runs_skipped_total",
               "Occurrences of the job dropped because a run was still going.",
               &JobCounts::skipped},
};

void job_metrics(PrometheusWriter& w, const std::vector<JobSummary>& jobs) {
    for (const JobCounter& c : kJobCounters) {
        w.family(c.name, c.help, counter);
        for (const JobSummary& j : jobs)
            w.sample(c.name, {{"job", j.name}, {"plugin", j.plugin}}, j.counts.*c.field);
    }
    w.family("weft_job_running", "1 while a run of the job is in progress, else 0.", gauge);
    for (const JobSummary& j : jobs)
        w.sample("weft_job_running", {{"job", j.name}, {"plugin", j.plugin}},
                 std::uint64_t{j.running ? 1U : 0U});
    w.family("weft_job_scheduled", "1 if the job is bound to its plugin's task and scheduled.",
             gauge);
    for (const JobSummary& j : jobs)
        w.sample("weft_job_scheduled", {{"job", j.name}, {"plugin", j.plugin}},
                 std::uint64_t{j.scheduled ? 1U : 0U});
}

}  // namespace

std::string render_metrics(const AdminSnapshot& snapshot) {
    PrometheusWriter w;
    daemon_metrics(w, snapshot);
    runtime_metrics(w, snapshot.runtime);
    worker_metrics(w, snapshot.runtime);
    render_poll_time_metrics(w, snapshot.runtime);
    plugin_metrics(w, snapshot.plugins);
    render_plugin_accounting(w, snapshot.plugins);
    channel_metrics(w, snapshot.channels);
    job_metrics(w, snapshot.jobs);
    pool_metrics(w, snapshot.pools);
    render_plugin_metrics(w, snapshot.plugins);
    return w.take();
}

}  // namespace weft::host::admin
