// Host function table: plugin metrics and the state directory (plugin.h 6.13, ABI 1.3). The
// series live in the instance's PluginMetrics (host/registry/plugin_metrics.hpp), which checks
// names and bounds; this file turns its results into statuses and the first refusal of a new
// series past the bound into one warning in the plugin's log.
#include <string>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {
namespace {

weft_status to_status(PluginInstance& p, PluginMetrics::Result r, std::string& error) {
    switch (r) {
        case PluginMetrics::Result::ok:
            return WEFT_OK;
        case PluginMetrics::Result::invalid:
            return invalid(std::move(error));
        case PluginMetrics::Result::mismatch:
            set_last_error(std::move(error));
            return WEFT_ERR_MISMATCH;
        case PluginMetrics::Result::full:
            if (p.metrics().take_full_notice())
                p.log().warn("{}; further new series are refused (existing ones still update)",
                             error);
            set_last_error(std::move(error));
            return WEFT_ERR_FULL;
    }
    return WEFT_ERR_INTERNAL;
}

// The labels as strings, or WEFT_ERR_INVALID_ARGUMENT for a NULL where text is needed.
weft_status copy_labels(const weft_metric_label* labels, size_t count, MetricLabels& out) {
    if (count != 0 && labels == nullptr) return invalid("metric labels: NULL with a count");
    if (count > PluginMetrics::kMaxLabels)
        return invalid("metric labels: " + std::to_string(count) + " labels (at most " +
                       std::to_string(PluginMetrics::kMaxLabels) + ")");
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        if (labels[i].name == nullptr || labels[i].value == nullptr)
            return invalid("metric label " + std::to_string(i) + ": NULL name or value");
        out.emplace_back(labels[i].name, labels[i].value);
    }
    return WEFT_OK;
}

weft_status metric_counter_add(weft_host* h, const char* name, const weft_metric_label* labels,
                               size_t label_count, uint64_t delta) noexcept {
    return guarded([&]() -> weft_status {
        if (!h || !name) return invalid("metric_counter_add: NULL host or name");
        MetricLabels l;
        if (auto s = copy_labels(labels, label_count, l); s != WEFT_OK) return s;
        PluginInstance& p = PluginInstance::of(h);
        std::string error;
        return to_status(p, p.metrics().counter_add(name, std::move(l), delta, error), error);
    });
}

weft_status metric_gauge_set(weft_host* h, const char* name, const weft_metric_label* labels,
                             size_t label_count, double value) noexcept {
    return guarded([&]() -> weft_status {
        if (!h || !name) return invalid("metric_gauge_set: NULL host or name");
        MetricLabels l;
        if (auto s = copy_labels(labels, label_count, l); s != WEFT_OK) return s;
        PluginInstance& p = PluginInstance::of(h);
        std::string error;
        return to_status(p, p.metrics().gauge_set(name, std::move(l), value, error), error);
    });
}

weft_status state_directory(weft_host* h, const char** out, size_t* len) noexcept {
    if (!h || !out) return invalid("state_directory: NULL argument");
    const std::string& dir = PluginInstance::of(h).state_directory();
    *out = dir.c_str();
    if (len) *len = dir.size();
    return WEFT_OK;
}

}  // namespace

void fill_metrics_api(weft_host_api& api) noexcept {
    api.metric_counter_add = &metric_counter_add;
    api.metric_gauge_set = &metric_gauge_set;
    api.state_directory = &state_directory;
}

}  // namespace weft::host
