// /metrics: a snapshot in the Prometheus text exposition format 0.0.4.
//
// Every name starts with "weft_"; counters end in "_total". Families:
//   weft_build_info{version}, weft_uptime_seconds, weft_shutting_down
//   weft_runtime_*: workers, alive tasks, spawned tasks, the global queue and the blocking pool
//   weft_runtime_worker_*{worker="i"}: polls, steals, steal operations, parks, unparks, overflows,
//     LIFO hits, budget-forced yields, local queue depth, busy seconds, longest poll
//   weft_plugin_state{plugin,state}: 1 for the plugin's state, 0 for the others;
//     weft_plugin_live_tasks{plugin}
//   weft_channel_*{channel,kind}: capacity; messages accepted, delivered, dropped, lagged, unheard
//   weft_job_*{job,plugin}: runs started, succeeded, failed, cancelled, skipped; running;
//     scheduled
// The content type to serve it with is kPrometheusContentType.
#pragma once

#include <string>

#include "host/admin/admin_snapshot.hpp"

namespace weft::host::admin {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

[[nodiscard]] std::string render_metrics(const AdminSnapshot& snapshot);

}  // namespace weft::host::admin
