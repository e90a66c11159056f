// The metrics plugins publish (plugin.h 6.13), as the admin endpoint shows them:
//   /metrics: weft_plugin_<name>{plugin="<instance>",<labels>} <value>, one family per name
//             across every plugin (HELP and TYPE once), counters and gauges as the plugin made
//             them. A name that two plugins use with different types keeps the first type seen
//             (plugins sorted as in the config) and skips the other plugin's series.
//   /status:  under each plugin, "metrics": [{"name", "type", "labels": {...}, "value"}].
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/admin/prometheus_writer.hpp"
#include "host/daemon/coordinator.hpp"

namespace weft::host::admin {

void render_plugin_metrics(PrometheusWriter& w, const std::vector<PluginSummary>& plugins);
[[nodiscard]] nlohmann::json plugin_metrics_json(const std::vector<PluginMetricSeries>& series);

}  // namespace weft::host::admin
