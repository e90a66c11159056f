#include "host/admin/accounting_text.hpp"

#include <array>
#include <string>

namespace weft::host::admin {
namespace {

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

struct PluginFigure {
    std::string_view name;
    std::string_view help;
    MetricType type;
    std::uint64_t PluginStatsSnapshot::*field;
};

constexpr std::array kPluginFigures{
    PluginFigure{"weft_plugin_polls_total", "Polls of the plugin's tasks.", MetricType::counter,
                 &PluginStatsSnapshot::polls},
    PluginFigure{"weft_plugin_long_polls_total",
                 "Polls of the plugin's tasks longer than runtime.long_poll_threshold_ms.",
                 MetricType::counter, &PluginStatsSnapshot::long_polls},
    PluginFigure{"weft_plugin_spawned_tasks_total", "Tasks the plugin spawned (job runs too).",
                 MetricType::counter, &PluginStatsSnapshot::spawned_tasks},
    PluginFigure{"weft_plugin_failed_tasks_total",
                 "Tasks of the plugin that failed (an error status or an exception).",
                 MetricType::counter, &PluginStatsSnapshot::failed_tasks},
    PluginFigure{"weft_plugin_blocking_jobs_queued",
                 "Blocking jobs of the plugin waiting for a blocking thread.", MetricType::gauge,
                 &PluginStatsSnapshot::blocking_queued},
    PluginFigure{"weft_plugin_blocking_jobs_running", "Blocking jobs of the plugin running.",
                 MetricType::gauge, &PluginStatsSnapshot::blocking_running},
    PluginFigure{"weft_plugin_channel_sends_total", "Messages the plugin put into named channels.",
                 MetricType::counter, &PluginStatsSnapshot::channel_sends},
    PluginFigure{"weft_plugin_channel_receives_total",
                 "Messages the plugin took out of named channels.", MetricType::counter,
                 &PluginStatsSnapshot::channel_receives},
};

}  // namespace

void render_poll_time_metrics(PrometheusWriter& w, const RuntimeMetrics& m) {
    w.family("weft_runtime_poll_duration_seconds",
             "Time of each poll of a task (poll timing on; with runtime.poll_clock coarse, polls "
             "under a kernel tick count in the first buckets).",
             MetricType::histogram);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kPollHistogramBuckets; ++i) {
        cumulative += m.poll_time_histogram[i];
        const bool last = i + 1 == kPollHistogramBuckets;
        // Bucket i holds [2^i, 2^(i+1)) us (bucket 0 also everything under 1 us).
        const std::string le =
            last ? "+Inf" : format_value(static_cast<double>(std::uint64_t{2} << i) / 1e6);
        w.sample("weft_runtime_poll_duration_seconds_bucket", {{"le", le}}, cumulative);
    }
    w.sample("weft_runtime_poll_duration_seconds_count", {}, cumulative);
    w.family("weft_runtime_worker_current_poll_seconds",
             "How long the poll the worker runs now has run (0 between polls).", MetricType::gauge);
    for (std::size_t i = 0; i < m.workers.size(); ++i) {
        const std::string index = std::to_string(i);
        w.sample("weft_runtime_worker_current_poll_seconds", {{"worker", index}},
                 seconds(m.workers[i].current_poll));
    }
}

void render_plugin_accounting(PrometheusWriter& w, const std::vector<PluginSummary>& plugins) {
    w.family("weft_plugin_busy_seconds_total", "Time spent polling the plugin's tasks.",
             MetricType::counter);
    for (const PluginSummary& p : plugins)
        w.sample("weft_plugin_busy_seconds_total", {{"plugin", p.name}}, seconds(p.stats.busy));
    for (const PluginFigure& f : kPluginFigures) {
        w.family(f.name, f.help, f.type);
        for (const PluginSummary& p : plugins)
            w.sample(f.name, {{"plugin", p.name}}, p.stats.*f.field);
    }
}

nlohmann::json plugin_accounting_json(const PluginStatsSnapshot& s) {
    return nlohmann::json{{"busy_seconds", seconds(s.busy)},
                          {"polls", s.polls},
                          {"long_polls", s.long_polls},
                          {"spawned_tasks", s.spawned_tasks},
                          {"failed_tasks", s.failed_tasks},
                          {"last_failure", s.last_failure},
                          {"blocking_jobs_queued", s.blocking_queued},
                          {"blocking_jobs_running", s.blocking_running},
                          {"channel_sends", s.channel_sends},
                          {"channel_receives", s.channel_receives}};
}

}  // namespace weft::host::admin
