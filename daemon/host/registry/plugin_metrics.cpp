// PluginMetrics: see plugin_metrics.hpp.
#include "host/registry/plugin_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace weft::host {
namespace {

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;  // continuation bytes that follow
        if (c < 0x80) {
            n = 0;
        } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
            n = 1;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
        } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
            n = 3;
        } else {
            return false;
        }
        if (i + n >= s.size() && n != 0) return false;
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace

bool valid_metric_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > PluginMetrics::kMaxNameBytes) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

PluginMetrics::Result PluginMetrics::update(std::string_view name, MetricLabels& labels,
                                            bool counter, std::string& error,
                                            PluginMetricSeries*& series) {
    if (!valid_metric_name(name)) {
        error = "metric name \"" + std::string(name.substr(0, kMaxNameBytes)) +
                "\" is not [a-zA-Z_][a-zA-Z0-9_]* of at most 128 bytes";
        return Result::invalid;
    }
    if (name == "state" || name == "live_tasks") {  // weft_plugin_state, weft_plugin_live_tasks
        error = "metric name \"" + std::string(name) + "\" is reserved by weftd";
        return Result::invalid;
    }
    if (labels.size() > kMaxLabels) {
        error = "metric \"" + std::string(name) + "\": " + std::to_string(labels.size()) +
                " labels (at most " + std::to_string(kMaxLabels) + ")";
        return Result::invalid;
    }
    std::sort(labels.begin(), labels.end());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto& [k, v] = labels[i];
        if (!valid_metric_name(k) || k.starts_with("__") || k == "plugin") {
            error = "metric \"" + std::string(name) + "\": label name \"" + k.substr(0, 128) +
                    "\" is not [a-zA-Z_][a-zA-Z0-9_]*, or is reserved (\"plugin\", \"__*\")";
            return Result::invalid;
        }
        if (i > 0 && labels[i - 1].first == k) {
            error = "metric \"" + std::string(name) + "\": label \"" + k + "\" given twice";
            return Result::invalid;
        }
        if (v.size() > kMaxValueBytes || !valid_utf8(v)) {
            error = "metric \"" + std::string(name) + "\": the value of label \"" + k +
                    "\" is not UTF-8 of at most 256 bytes";
            return Result::invalid;
        }
    }
    std::lock_guard lock(mutex_);
    if (auto k = kinds_.find(name); k != kinds_.end() && k->second != counter) {
        error = "metric \"" + std::string(name) + "\" is a " + (k->second ? "counter" : "gauge") +
                ", not a " + (counter ? "counter" : "gauge");
        return Result::mismatch;
    }
    auto key = std::make_pair(std::string(name), std::move(labels));
    auto it = series_.find(key);
    if (it == series_.end()) {
        if (series_.size() >= kMaxSeries) {
            full_ = true;
            error = "metric \"" + std::string(name) + "\": the plugin already has " +
                    std::to_string(kMaxSeries) + " series (the bound)";
            return Result::full;
        }
        kinds_.emplace(std::string(name), counter);
        PluginMetricSeries s;
        s.name = key.first;
        s.counter = counter;
        s.labels = key.second;
        it = series_.emplace(std::move(key), std::move(s)).first;
    }
    series = &it->second;  // std::map nodes stay put: series are never erased
    return Result::ok;
}

PluginMetrics::Result PluginMetrics::counter_add(std::string_view name, MetricLabels labels,
                                                 std::uint64_t delta, std::string& error) {
    PluginMetricSeries* s = nullptr;
    const Result r = update(name, labels, true, error, s);
    if (r != Result::ok) return r;
    std::lock_guard lock(mutex_);
    s->count += delta;  // wraps at 2^64, as plugin.h says
    return r;
}

PluginMetrics::Result PluginMetrics::gauge_set(std::string_view name, MetricLabels labels,
                                               double value, std::string& error) {
    if (!std::isfinite(value)) {
        error = "gauge \"" + std::string(name.substr(0, kMaxNameBytes)) +
                "\": the value is not a finite number";
        return Result::invalid;
    }
    PluginMetricSeries* s = nullptr;
    const Result r = update(name, labels, false, error, s);
    if (r != Result::ok) return r;
    std::lock_guard lock(mutex_);
    s->gauge = value;
    return r;
}

std::vector<PluginMetricSeries> PluginMetrics::snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<PluginMetricSeries> out;
    out.reserve(series_.size());
    for (const auto& [key, s] : series_) out.push_back(s);
    return out;
}

bool PluginMetrics::take_full_notice() noexcept {
    std::lock_guard lock(mutex_);
    if (!full_ || full_noticed_) return false;
    full_noticed_ = true;
    return true;
}

}  // namespace weft::host
