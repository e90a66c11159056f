// weft::Metrics: the plugin's own counters and gauges (ABI 1.3, plugin.h 6.13), shown by the
// admin endpoint in /metrics (as weft_plugin_<name>{plugin="<instance>",...}) and /status.
//
//   weft::Metrics metrics(host());
//   metrics.counter_add("messages_sent_total", {{"stream", "events"}}, batch.size());
//   metrics.gauge_set("queue_depth", {{"stream", "events"}}, depth);
//
// Metrics are best effort: an update the host refuses (a bad name, the plugin's bound of 1024
// series reached; the host logs it) or an older host without metrics does not throw, it returns
// false. supported() says whether the host keeps metrics at all. Any thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/host.hpp"

namespace weft {
inline namespace sdk {

// A label: its name and value (copied into NUL-terminated strings for the call).
using MetricLabel = std::pair<std::string_view, std::string_view>;

class Metrics {
   public:
    Metrics() noexcept = default;
    explicit Metrics(const Host& host) noexcept : host_(host.raw()) {}

    [[nodiscard]] bool supported() const noexcept {
        return host_ && WEFT_API_HAS(WEFT__API(host_), metric_counter_add);
    }

    bool counter_add(std::string_view name, std::initializer_list<MetricLabel> labels,
                     std::uint64_t delta) const {
        return call(name, labels, [&](const char* n, const weft_metric_label* l, std::size_t c) {
            return weft_metric_counter_add(host_, n, l, c, delta);
        });
    }
    bool gauge_set(std::string_view name, std::initializer_list<MetricLabel> labels,
                   double value) const {
        return call(name, labels, [&](const char* n, const weft_metric_label* l, std::size_t c) {
            return weft_metric_gauge_set(host_, n, l, c, value);
        });
    }

   private:
    template <class F>
    bool call(std::string_view name, std::initializer_list<MetricLabel> labels, F&& f) const {
        if (!supported()) return false;
        std::vector<std::string> text;
        text.reserve(1 + 2 * labels.size());
        text.emplace_back(name);
        for (const auto& [k, v] : labels) {
            text.emplace_back(k);
            text.emplace_back(v);
        }
        std::vector<weft_metric_label> c;
        c.reserve(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i)
            c.push_back({text[1 + 2 * i].c_str(), text[2 + 2 * i].c_str()});
        return f(text[0].c_str(), c.empty() ? nullptr : c.data(), c.size()) == WEFT_OK;
    }

    weft_host* host_ = nullptr;
};

// The daemon's state directory (plugin.h 6.13), or an empty string on a host older than 1.3.
[[nodiscard]] inline std::string state_directory(const Host& host) {
    const char* dir = nullptr;
    std::size_t len = 0;
    if (weft_state_directory(host.raw(), &dir, &len) != WEFT_OK || dir == nullptr) return {};
    return std::string(dir, len);
}

}  // namespace sdk
}  // namespace weft
