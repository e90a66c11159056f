// The admin endpoint's renderers on hand-built snapshots: the Prometheus text (HELP/TYPE lines,
// names, labels and their escaping, values) and the /status JSON.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/admin/metrics_text.hpp"
#include "host/admin/prometheus_writer.hpp"
#include "host/admin/status_json.hpp"

using Catch::Matchers::Contains;
using namespace weft::host;
using namespace weft::host::admin;

namespace {

AdminSnapshot sample_snapshot() {
    AdminSnapshot s;
    s.version = "1.2.3";
    s.pid = 42;
    s.uptime_seconds = 1.5;
    s.runtime.num_workers = 2;
    s.runtime.workers.resize(2);
    s.runtime.workers[0].polls = 10;
    s.runtime.workers[1].polls = 20;
    s.runtime.workers[1].steals = 3;
    s.runtime.workers[1].budget_forced_yields = 4;
    s.runtime.workers[0].local_queue_depth = 5;
    s.runtime.workers[0].busy_time = std::chrono::milliseconds(250);
    s.runtime.alive_tasks = 7;
    s.runtime.spawned_tasks = 99;
    s.runtime.global_queue_depth = 1;
    s.runtime.blocking_threads = 3;
    s.runtime.idle_blocking_threads = 2;
    s.runtime.abandoned_blocking_threads = 0;
    PluginSummary p;
    p.name = "odd \"name\\\nx";
    p.path = "/plugins/odd.so";
    p.state = PluginState::running;
    p.live_tasks = 4;
    s.plugins.push_back(p);
    PluginSummary failed;
    failed.name = "broken";
    failed.state = PluginState::failed;
    failed.failure = "cannot open";
    s.plugins.push_back(failed);
    s.channels.push_back(ChannelReport{"records", ChannelKind::mpsc, 64, 100, 90, 10, 0, 0});
    JobSummary j;
    j.name = "rollup";
    j.plugin = "producer";
    j.task = "rollup";
    j.schedule = "every 1000 ms";
    j.scheduled = true;
    j.running = true;
    j.counts = JobCounts{5, 3, 1, 0, 1};
    // 2027-01-15T08:00:00Z and ten seconds later.
    const std::chrono::system_clock::time_point at{std::chrono::seconds(1'800'000'000)};
    j.last_run = JobLastRun{4, "failed", "disk full", at, std::chrono::milliseconds(35)};
    j.next_run = at + std::chrono::seconds(10);
    s.jobs.push_back(j);
    return s;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("admin prometheus: label values escape backslash, quote and newline") {
    CHECK(escape_label_value(R"(a"b\c)") == R"(a\"b\\c)");
    CHECK(escape_label_value("x\ny") == "x\\ny");
    CHECK(escape_label_value("plain") == "plain");
    CHECK(escape_help("a\\b\nc \"q\"") == "a\\\\b\\nc \"q\"");
}

TEST_CASE("admin prometheus: values use the exposition's number syntax") {
    CHECK(format_value(1.5) == "1.5");
    CHECK(format_value(3.0) == "3");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("admin prometheus: the writer emits HELP and TYPE, then samples with labels") {
    PrometheusWriter w;
    w.family("weft_x_total", "Things.\nMore", MetricType::counter);
    w.sample("weft_x_total", {{"a", "1"}, {"b", "q\""}}, std::uint64_t{7});
    w.family("weft_y", "Y.", MetricType::gauge);
    w.sample("weft_y", {}, 0.25);
    CHECK(w.text() ==
          "# HELP weft_x_total Things.\\nMore\n"
          "# TYPE weft_x_total counter\n"
          "weft_x_total{a=\"1\",b=\"q\\\"\"} 7\n"
          "# HELP weft_y Y.\n"
          "# TYPE weft_y gauge\n"
          "weft_y 0.25\n");
}

TEST_CASE("admin prometheus: every family has HELP then TYPE, and counters end in _total") {
    const std::string text = render_metrics(sample_snapshot());
    const auto lines = lines_of(text);
    REQUIRE(!lines.empty());
    std::string family;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        INFO(line);
        CHECK(!line.empty());
        if (line.starts_with("# HELP ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            CHECK(family.starts_with("weft_"));
            REQUIRE(i + 1 < lines.size());
            CHECK(lines[i + 1].starts_with("# TYPE " + family + " "));
            if (lines[i + 1].ends_with(" counter")) CHECK(family.ends_with("_total"));
            continue;
        }
        if (line.starts_with("# TYPE ")) continue;
        CHECK(line.starts_with(family));  // samples follow their own family
    }
}

TEST_CASE("admin prometheus: runtime, plugin, channel and job samples") {
    const std::string text = render_metrics(sample_snapshot());
    CHECK_THAT(text, Contains("weft_build_info{version=\"1.2.3\"} 1\n"));
    CHECK_THAT(text, Contains("weft_shutting_down 0\n"));
    CHECK_THAT(text, Contains("weft_runtime_workers 2\n"));
    CHECK_THAT(text, Contains("weft_runtime_alive_tasks 7\n"));
    CHECK_THAT(text, Contains("weft_runtime_spawned_tasks_total 99\n"));
    CHECK_THAT(text, Contains("weft_runtime_blocking_threads 3\n"));
    CHECK_THAT(text, Contains("weft_runtime_idle_blocking_threads 2\n"));
    CHECK_THAT(text, Contains("weft_runtime_abandoned_blocking_threads 0\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_polls_total{worker=\"0\"} 10\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_polls_total{worker=\"1\"} 20\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_steals_total{worker=\"1\"} 3\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_budget_forced_yields_total{worker=\"1\"} 4\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_local_queue_depth{worker=\"0\"} 5\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_busy_seconds_total{worker=\"0\"} 0.25\n"));
    const std::string odd = R"(plugin="odd \"name\\\nx")";
    CHECK_THAT(text, Contains("weft_plugin_state{" + odd + ",state=\"running\"} 1\n"));
    CHECK_THAT(text, Contains("weft_plugin_state{" + odd + ",state=\"failed\"} 0\n"));
    CHECK_THAT(text, Contains("weft_plugin_state{plugin=\"broken\",state=\"failed\"} 1\n"));
    CHECK_THAT(text, Contains("weft_plugin_live_tasks{" + odd + "} 4\n"));
    const std::string ch = R"({channel="records",kind="mpsc"})";
    CHECK_THAT(text, Contains("weft_channel_capacity" + ch + " 64\n"));
    CHECK_THAT(text, Contains("weft_channel_accepted_messages_total" + ch + " 100\n"));
    CHECK_THAT(text, Contains("weft_channel_delivered_messages_total" + ch + " 90\n"));
    CHECK_THAT(text, Contains("weft_channel_dropped_messages_total" + ch + " 10\n"));
    const std::string job = R"({job="rollup",plugin="producer"})";
    CHECK_THAT(text, Contains("weft_job_runs_started_total" + job + " 5\n"));
    CHECK_THAT(text, Contains("weft_job_runs_succeeded_total" + job + " 3\n"));
    CHECK_THAT(text, Contains("weft_job_runs_failed_total" + job + " 1\n"));
    CHECK_THAT(text, Contains("weft_job_runs_cancelled_total" + job + " 0\n"));
    CHECK_THAT(text, Contains("weft_job_runs_skipped_total" + job + " 1\n"));
    CHECK_THAT(text, Contains("weft_job_running" + job + " 1\n"));
    // No raw newline may end up inside a sample line.
    for (const auto& line : lines_of(text)) CHECK(line.find("odd \"") == std::string::npos);
}

TEST_CASE("admin prometheus: shutting down is reported") {
    AdminSnapshot s = sample_snapshot();
    s.shutting_down = true;
    CHECK_THAT(render_metrics(s), Contains("weft_shutting_down 1\n"));
}

TEST_CASE("admin status json: plugins, jobs, channels and runtime") {
    const nlohmann::json j = render_status(sample_snapshot());
    CHECK(j.at("version") == "1.2.3");
    CHECK(j.at("pid") == 42);
    CHECK(j.at("shutting_down") == false);
    const auto& rt = j.at("runtime");
    CHECK(rt.at("worker_threads") == 2);
    CHECK(rt.at("alive_tasks") == 7);
    CHECK(rt.at("spawned_tasks") == 99);
    CHECK(rt.at("poll_time_histogram").size() == weft::kPollHistogramBuckets);
    REQUIRE(rt.at("workers").size() == 2);
    CHECK(rt.at("workers")[1].at("index") == 1);
    CHECK(rt.at("workers")[1].at("steals") == 3);
    CHECK(rt.at("workers")[0].at("busy_seconds") == 0.25);
    REQUIRE(j.at("plugins").size() == 2);
    CHECK(j.at("plugins")[0].at("name") == "odd \"name\\\nx");
    CHECK(j.at("plugins")[0].at("state") == "running");
    CHECK(j.at("plugins")[0].at("live_tasks") == 4);
    CHECK(j.at("plugins")[0].at("path") == "/plugins/odd.so");
    CHECK(j.at("plugins")[1].at("state") == "failed");
    CHECK(j.at("plugins")[1].at("failure") == "cannot open");
    REQUIRE(j.at("jobs").size() == 1);
    CHECK(j.at("jobs")[0].at("name") == "rollup");
    CHECK(j.at("jobs")[0].at("overlap") == "skip");
    CHECK(j.at("jobs")[0].at("running") == true);
    CHECK(j.at("jobs")[0].at("runs").at("started") == 5);
    CHECK(j.at("jobs")[0].at("runs").at("skipped") == 1);
    const auto& next = j.at("jobs")[0].at("next_run");
    CHECK(next.at("time") == "2027-01-15T08:00:10Z");
    CHECK(next.at("unix_time") == 1'800'000'010);
    const auto& last = j.at("jobs")[0].at("last_run");
    CHECK(last.at("run") == 4);
    CHECK(last.at("result") == "failed");
    CHECK(last.at("message") == "disk full");
    CHECK(last.at("time") == "2027-01-15T08:00:00Z");
    CHECK(last.at("unix_time") == 1'800'000'000);
    CHECK(last.at("took_ms") == 35);
    REQUIRE(j.at("channels").size() == 1);
    CHECK(j.at("channels")[0].at("kind") == "mpsc");
    CHECK(j.at("channels")[0].at("capacity") == 64);
    CHECK(j.at("channels")[0].at("dropped") == 10);
}

TEST_CASE("admin status json: a job not scheduled, or before its first run, has null times") {
    AdminSnapshot s;
    s.jobs.push_back(JobSummary{});
    const nlohmann::json j = render_status(s);
    CHECK(j.at("jobs")[0].at("next_run").is_null());
    CHECK(j.at("jobs")[0].at("last_run").is_null());
}

TEST_CASE("admin status json: empty host") {
    const nlohmann::json j = render_status(AdminSnapshot{});
    CHECK(j.at("plugins").is_array());
    CHECK(j.at("plugins").empty());
    CHECK(j.at("jobs").empty());
    CHECK(j.at("channels").empty());
    CHECK(j.at("runtime").at("workers").empty());
}

TEST_CASE("admin: per-plugin accounting and the poll-time histogram in /metrics and /status") {
    AdminSnapshot s = sample_snapshot();
    s.plugins[1].stats.busy = std::chrono::milliseconds(1500);
    s.plugins[1].stats.polls = 12;
    s.plugins[1].stats.long_polls = 2;
    s.plugins[1].stats.failed_tasks = 1;
    s.plugins[1].stats.last_failure = "task #3 failed: boom";
    s.plugins[1].stats.blocking_running = 1;
    s.plugins[1].stats.channel_sends = 5;
    s.runtime.poll_time_histogram[0] = 7;
    s.runtime.poll_time_histogram[3] = 2;
    s.runtime.poll_time_histogram.back() = 1;
    s.runtime.workers[1].current_poll = std::chrono::milliseconds(250);
    const std::string text = render_metrics(s);
    const std::string broken = "{plugin=\"broken\"}";
    CHECK_THAT(text, Contains("weft_plugin_busy_seconds_total" + broken + " 1.5\n"));
    CHECK_THAT(text, Contains("weft_plugin_polls_total" + broken + " 12\n"));
    CHECK_THAT(text, Contains("weft_plugin_long_polls_total" + broken + " 2\n"));
    CHECK_THAT(text, Contains("weft_plugin_failed_tasks_total" + broken + " 1\n"));
    CHECK_THAT(text, Contains("weft_plugin_blocking_jobs_running" + broken + " 1\n"));
    CHECK_THAT(text, Contains("weft_plugin_channel_sends_total" + broken + " 5\n"));
    CHECK_THAT(text, Contains("# TYPE weft_runtime_poll_duration_seconds histogram\n"));
    // Cumulative buckets: le = 2^(i+1) us.
    CHECK_THAT(text, Contains("weft_runtime_poll_duration_seconds_bucket{le=\"2e-06\"} 7\n"));
    CHECK_THAT(text, Contains("weft_runtime_poll_duration_seconds_bucket{le=\"1.6e-05\"} 9\n"));
    CHECK_THAT(text, Contains("weft_runtime_poll_duration_seconds_bucket{le=\"+Inf\"} 10\n"));
    CHECK_THAT(text, Contains("weft_runtime_poll_duration_seconds_count 10\n"));
    CHECK_THAT(text, Contains("weft_runtime_worker_current_poll_seconds{worker=\"1\"} 0.25\n"));
    const nlohmann::json j = render_status(s);
    const auto& acc = j.at("plugins")[1].at("accounting");
    CHECK(acc.at("busy_seconds") == 1.5);
    CHECK(acc.at("long_polls") == 2);
    CHECK(acc.at("last_failure") == "task #3 failed: boom");
    CHECK(j.at("runtime").at("workers")[1].at("current_poll_seconds") == 0.25);
}
