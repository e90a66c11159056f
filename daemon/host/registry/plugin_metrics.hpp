// PluginMetrics: the counters and gauges one plugin publishes (plugin.h 6.13, ABI 1.3), kept by
// the host for the admin endpoint.
//
// Rules, checked on every update (a plugin's input is untrusted: a bad name or an endless stream
// of label values is refused, never a crash or unbounded memory):
//   - a metric name matches [a-zA-Z_][a-zA-Z0-9_]*, kMaxNameBytes at most;
//   - a label name the same, not starting with "__", not "plugin" (the host adds that label),
//     each at most once per series, kMaxLabels per series;
//   - a label value is at most kMaxValueBytes of valid UTF-8;
//   - a name is a counter or a gauge for the plugin's whole life;
//   - at most kMaxSeries series (name plus label values) per plugin: past it, a new series is
//     refused (Result::full) while existing ones still update.
// A series' labels are kept sorted by name, so the same set given in another order is the same
// series.
//
// Thread-safety: every member may be called from any thread (one mutex; updates are short).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::host {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

struct PluginMetricSeries {
    std::string name;
    bool counter = true;  // else a gauge
    MetricLabels labels;  // sorted by name
    double gauge = 0;
    std::uint64_t count = 0;
};

class PluginMetrics {
   public:
    static constexpr std::size_t kMaxSeries = 1024;
    static constexpr std::size_t kMaxLabels = 8;
    static constexpr std::size_t kMaxNameBytes = 128;
    static constexpr std::size_t kMaxValueBytes = 256;

    enum class Result { ok, invalid, mismatch, full };

    // `error` says what was wrong, for any result but ok.
    Result counter_add(std::string_view name, MetricLabels labels, std::uint64_t delta,
                       std::string& error);
    Result gauge_set(std::string_view name, MetricLabels labels, double value, std::string& error);

    // Every series, sorted by name then labels.
    [[nodiscard]] std::vector<PluginMetricSeries> snapshot() const;

    // True the first time the bound was hit (the caller logs it once).
    [[nodiscard]] bool take_full_notice() noexcept;

   private:
    Result update(std::string_view name, MetricLabels& labels, bool counter, std::string& error,
                  PluginMetricSeries*& series);

    mutable std::mutex mutex_;
    std::map<std::string, bool, std::less<>> kinds_;  // name -> is a counter
    std::map<std::pair<std::string, MetricLabels>, PluginMetricSeries> series_;
    bool full_ = false;
    bool full_noticed_ = false;
};

// True for [a-zA-Z_][a-zA-Z0-9_]* of 1 to PluginMetrics::kMaxNameBytes bytes.
[[nodiscard]] bool valid_metric_name(std::string_view name) noexcept;

}  // namespace weft::host
