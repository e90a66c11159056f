// GET /tasks: the task view as JSON (plugin/task_watch.hpp says what each figure and warning
// means).
//
//   { "tasks": [ { "plugin", "task", "name", "state", "polls", "busy_seconds",
//                  "longest_poll_seconds", "idle_seconds", "age_seconds", "wakes", "self_wakes",
//                  "wakers", "warnings": [ text ] } ],
//     "warnings": [ "plugin 'P' task #N 'name': text" ] }
//
// Tasks are listed plugin by plugin in load order, each plugin's in spawn order. Keys may be
// added; existing ones keep their meaning.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "host/plugin/task_watch.hpp"

namespace weft::host::admin {

[[nodiscard]] nlohmann::json render_tasks(const std::vector<PluginTasks>& plugins);

}  // namespace weft::host::admin
