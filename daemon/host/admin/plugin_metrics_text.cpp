// Plugin metrics in /metrics and /status: see plugin_metrics_text.hpp.
#include "host/admin/plugin_metrics_text.hpp"

#include <map>

#include "host/admin/prometheus_writer.hpp"

namespace weft::host::admin {

std::string render_plugin_metrics(const std::vector<PluginSummary>& plugins) {
    struct Family {
        bool counter = true;
        std::string lines;
    };
    std::map<std::string, Family> families;  // sorted: a stable exposition
    for (const PluginSummary& p : plugins) {
        for (const PluginMetricSeries& s : p.metrics) {
            const std::string name = "weft_plugin_" + s.name;
            auto [it, added] = families.try_emplace(name, Family{s.counter, {}});
            if (!added && it->second.counter != s.counter) continue;
            std::string& out = it->second.lines;
            out += name;
            out += "{plugin=\"" + escape_label_value(p.name) + "\"";
            for (const auto& [k, v] : s.labels)
                out += "," + k + "=\"" + escape_label_value(v) + "\"";
            out += "} ";
            out += s.counter ? std::to_string(s.count) : format_value(s.gauge);
            out += '\n';
        }
    }
    std::string text;
    for (const auto& [name, f] : families) {
        text += "# HELP " + name + " Published by the plugin named in its plugin label.\n";
        text += "# TYPE " + name + (f.counter ? " counter\n" : " gauge\n");
        text += f.lines;
    }
    return text;
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
