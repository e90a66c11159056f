// Plugin metrics in /metrics and /status: see plugin_metrics_text.hpp.
#include "host/admin/plugin_metrics_text.hpp"

#include <map>

namespace weft::host::admin {

void render_plugin_metrics(PrometheusWriter& w, const std::vector<PluginSummary>& plugins) {
    struct Sample {
        const PluginSummary* plugin;
        const PluginMetricSeries* series;
    };
    struct Family {
        bool counter = true;
        std::vector<Sample> samples;
    };
    std::map<std::string, Family> families;  // sorted: a stable exposition
    for (const PluginSummary& p : plugins) {
        for (const PluginMetricSeries& s : p.metrics) {
            auto [it, added] = families.try_emplace("weft_plugin_" + s.name, Family{s.counter, {}});
            if (!added && it->second.counter != s.counter) continue;
            it->second.samples.push_back({&p, &s});
        }
    }
    std::vector<Label> labels;
    for (const auto& [name, f] : families) {
        w.family(name, "Published by the plugin named in its plugin label.",
                 f.counter ? MetricType::counter : MetricType::gauge);
        for (const Sample& sample : f.samples) {
            labels.assign({{"plugin", sample.plugin->name}});
            for (const auto& [k, v] : sample.series->labels) labels.push_back({k, v});
            if (sample.series->counter)
                w.sample(name, labels, sample.series->count);
            else
                w.sample(name, labels, sample.series->gauge);
        }
    }
}

nlohmann::json plugin_metrics_json(const std::vector<PluginMetricSeries>& series) {
    auto out = nlohmann::json::array();
    for (const PluginMetricSeries& s : series) {
        auto labels = nlohmann::json::object();
        for (const auto& [k, v] : s.labels) labels[k] = v;
        nlohmann::json value;
        if (s.counter)
            value = s.count;
        else
            value = s.gauge;
        out.push_back({{"name", s.name},
                       {"type", s.counter ? "counter" : "gauge"},
                       {"labels", std::move(labels)},
                       {"value", std::move(value)}});
    }
    return out;
}

}  // namespace weft::host::admin
