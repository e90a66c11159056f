// /status: a snapshot as one JSON document, for operators and scripts (`weftd status`).
//
//   { "version", "pid", "uptime_seconds", "shutting_down",
//     "runtime":  { "worker_threads", "alive_tasks", "spawned_tasks", "global_queue_depth",
//                   "blocking_threads", "idle_blocking_threads", "blocking_queue_depth",
//                   "abandoned_blocking_threads", "poll_time_histogram": [16 counts],
//                   "workers": [ { "index", "polls", "steals", ..., "busy_seconds",
//                                  "longest_poll_seconds", "current_poll_seconds" } ] },
//     "plugins":  [ { "name", "path", "plugin_name", "version", "abi", "state", "failure",
//                     "live_tasks", "metrics", "accounting": { "busy_seconds", "polls",
//                     "long_polls", "spawned_tasks", "failed_tasks", "last_failure",
//                     "blocking_jobs_queued", "blocking_jobs_running", "channel_sends",
//                     "channel_receives" } } ],
//     "jobs":     [ { "name", "plugin", "task", "schedule", "priority", "overlap", "scheduled",
//                     "problem", "running", "runs": { "started", "succeeded", "failed",
//                     "cancelled", "skipped" },
//                     "next_run": null or { "time", "unix_time" },
//                     "last_run": null or { "run", "result", "message", "time", "unix_time",
//                                           "took_ms" } } ],
//     "channels": [ { "name", "kind", "capacity", "accepted", "delivered", "dropped", "lagged",
//                     "unheard" } ],
//     "last_reload": null before the first live reload, else reload_json.hpp's object }
//
// Keys may be added; existing ones keep their meaning.
#pragma once

#include <nlohmann/json.hpp>

#include "host/admin/admin_snapshot.hpp"

namespace weft::host::admin {

[[nodiscard]] nlohmann::json render_status(const AdminSnapshot& snapshot);

}  // namespace weft::host::admin
