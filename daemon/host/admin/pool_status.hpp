// The named pools in /status (JSON) and /metrics (Prometheus text): per pool its size, idle, in
// use, waiters, acquisitions, timeouts, creates, create failures, closes by reason and the
// acquire-wait histogram.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "host/admin/prometheus_writer.hpp"
#include "host/pools/pool_set.hpp"

namespace weft::host::admin {

[[nodiscard]] nlohmann::json pools_json(const std::vector<PoolReport>& pools);
void pool_metrics(PrometheusWriter& w, const std::vector<PoolReport>& pools);

}  // namespace weft::host::admin
