// The figures of observability in /metrics and /status: the poll-time histogram, how long each
// worker's running poll has run, and each plugin's accounting (host/plugin/plugin_stats.hpp).
//
// /metrics families (every plugin one sample with a `plugin` label):
//   weft_runtime_poll_duration_seconds          histogram of every poll (buckets le = 2^(i+1) us)
//   weft_runtime_worker_current_poll_seconds    how long the worker's running poll has run
//   weft_plugin_busy_seconds_total              summed poll time of the plugin's tasks
//   weft_plugin_polls_total, weft_plugin_long_polls_total
//   weft_plugin_spawned_tasks_total, weft_plugin_failed_tasks_total
//   weft_plugin_blocking_jobs_queued, weft_plugin_blocking_jobs_running
//   weft_plugin_channel_sends_total, weft_plugin_channel_receives_total
// /status: each plugin's "accounting" object with the same figures and "last_failure".
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "host/admin/prometheus_writer.hpp"
#include "host/daemon/coordinator.hpp"
#include "runtime/metrics/metrics.hpp"

namespace weft::host::admin {

void render_poll_time_metrics(PrometheusWriter& w, const RuntimeMetrics& m);
void render_plugin_accounting(PrometheusWriter& w, const std::vector<PluginSummary>& plugins);
[[nodiscard]] nlohmann::json plugin_accounting_json(const PluginStatsSnapshot& s);

}  // namespace weft::host::admin
