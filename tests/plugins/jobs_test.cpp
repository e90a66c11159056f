// Scheduled jobs through the real host: job_probe (C++ SDK) and c_jobs (C ABI) register task
// functions; configs schedule them. Timing is never asserted tightly (the machine is shared):
// the tests assert order and counts, with generous bounds.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;
using host::JobSummary;
using host::PluginState;
using Clock = std::chrono::steady_clock;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

host::Config probe_config(const std::string& jobs, const std::string& probe_config = "{}") {
    return config_from(R"({"plugins": [{"name": "probe", "path": "job_probe.so", "config": )" +
                       probe_config + R"(}], "jobs": [)" + jobs + "]}");
}

JobSummary job(const HostedPlugins& hosted, const std::string& name) {
    for (const auto& j : hosted.host.jobs())
        if (j.name == name) return j;
    FAIL("no job named " << name);
    return {};
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

}  // namespace

TEST_CASE("jobs: an interval job runs repeatedly, each run a task of its plugin") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = probe_config(
        R"({"name": "counter", "plugin": "probe", "task": "count", "interval_ms": 20})");
    HostedPlugins hosted(flavor, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    CHECK(wait_until([&] { return job(hosted, "counter").counts.succeeded >= 3; }));
    hosted.host.shutdown();
    INFO(log.text());
    const JobSummary j = job(hosted, "counter");
    CHECK(j.scheduled);
    CHECK(j.plugin == "probe");
    CHECK(j.task == "count");
    CHECK(j.schedule == "every 20 ms");
    CHECK(j.counts.started >= 3);
    CHECK(j.counts.started == j.counts.succeeded + j.counts.failed + j.counts.cancelled);
    CHECK(j.counts.failed == 0);
    CHECK(log.contains("[probe] info: job_probe: count 3"));
    CHECK(log.contains("job 'counter' scheduled: plugin 'probe', task 'count', every 20 ms"));
    CHECK(log.contains("[probe] info: job_probe: duplicate gave already exists"));
    CHECK(log.contains("job 'counter' (plugin 'probe', task 'count', every 20 ms): "));
    CHECK_FALSE(log.contains("still running"));
}

TEST_CASE("jobs: a once_after job runs exactly once") {
    LogCapture log;
    const auto config = probe_config(
        R"({"name": "once", "plugin": "probe", "task": "count", "once_after_ms": 20})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    REQUIRE(wait_until([&] { return job(hosted, "once").counts.succeeded == 1; }));
    std::this_thread::sleep_for(200ms);
    hosted.host.shutdown();
    INFO(log.text());
    CHECK(job(hosted, "once").counts.started == 1);
    CHECK(log.contains("job_probe: count 1"));
    CHECK_FALSE(log.contains("job_probe: count 2"));
}

TEST_CASE("jobs: jobs due together start in descending priority, ties in config order") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = probe_config(R"(
        {"name": "a", "plugin": "probe", "task": "a", "once_after_ms": 50, "priority": 1},
        {"name": "b", "plugin": "probe", "task": "b", "once_after_ms": 50, "priority": 10},
        {"name": "c", "plugin": "probe", "task": "c", "once_after_ms": 50, "priority": 5},
        {"name": "d", "plugin": "probe", "task": "d", "once_after_ms": 50, "priority": 10})");
    HostedPlugins hosted(flavor, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    REQUIRE(wait_until([&] { return job(hosted, "a").counts.succeeded == 1; }));
    INFO(log.text());
    const long b = log.index_of("job_probe: start b");
    const long d = log.index_of("job_probe: start d");
    const long c = log.index_of("job_probe: start c");
    const long a = log.index_of("job_probe: start a");
    CHECK(b >= 0);
    CHECK(b < d);
    CHECK(d < c);
    CHECK(c < a);
}

TEST_CASE("jobs: overlap skip never runs a job twice at once and counts the skips") {
    LogCapture log;
    const auto config =
        probe_config(R"({"name": "slow", "plugin": "probe", "task": "slow", "interval_ms": 10})",
                     R"({"slow_ms": 60})");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(hosted.host.start_jobs() == 0);
        CHECK(wait_until([&] {
            const auto j = job(hosted, "slow");
            return j.counts.succeeded >= 3 && j.counts.skipped >= 3;
        }));
        hosted.host.shutdown();
        const JobSummary j = job(hosted, "slow");
        CHECK(j.counts.started == j.counts.succeeded + j.counts.failed + j.counts.cancelled);
        CHECK(j.counts.skipped >= 3);
        CHECK(j.counts.failed == 0);
    }
    INFO(log.text());
    CHECK(log.contains("job 'slow': the previous run is still running: skipped"));
    CHECK_FALSE(log.contains("slow begin, running 2"));
    CHECK(log.contains("job_probe: destroyed; most slow runs at once 1"));
}

TEST_CASE("jobs: overlap queue runs once more right after the current run, without a backlog") {
    LogCapture log;
    const auto config = probe_config(
        R"({"name": "slow", "plugin": "probe", "task": "slow", "interval_ms": 10,
            "overlap": "queue"})",
        R"({"slow_ms": 60})");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        const auto began = Clock::now();
        REQUIRE(hosted.host.start_jobs() == 0);
        CHECK(wait_until([&] { return job(hosted, "slow").counts.succeeded >= 4; }));
        hosted.host.shutdown();
        const auto elapsed = Clock::now() - began;
        const JobSummary j = job(hosted, "slow");
        INFO("elapsed ms: "
             << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
        CHECK(j.counts.started == j.counts.succeeded + j.counts.failed + j.counts.cancelled);
        // Each run takes at least 60 ms and they never overlap: a backlog of the ~6 occurrences
        // due during each run would need far more runs than fit in the elapsed time.
        CHECK(j.counts.started <= static_cast<std::uint64_t>(elapsed / 60ms) + 2);
        // Occurrences beyond the one queued run are dropped, and counted.
        CHECK(j.counts.skipped >= 1);
    }
    INFO(log.text());
    CHECK(log.contains("job 'slow': the previous run is still running: queued"));
    CHECK_FALSE(log.contains("slow begin, running 2"));
    CHECK(log.contains("job_probe: destroyed; most slow runs at once 1"));
}

TEST_CASE("jobs: a job whose plugin or task is missing is reported, the others run") {
    LogCapture log;
    const auto config = config_from(R"({
        "plugins": [
            {"name": "probe", "path": "job_probe.so"},
            {"name": "broken", "path": "missing.so"},
            {"name": "off", "path": "job_probe.so", "enabled": false},
            {"name": "starter", "path": "sdk_probe.so", "config": {"mode": "start_throws"}}],
        "jobs": [
            {"name": "nope", "plugin": "probe", "task": "nope", "interval_ms": 20},
            {"name": "lost", "plugin": "broken", "task": "count", "interval_ms": 20},
            {"name": "idle", "plugin": "off", "task": "count", "interval_ms": 20},
            {"name": "failed", "plugin": "starter", "task": "count", "interval_ms": 20},
            {"name": "good", "plugin": "probe", "task": "count", "interval_ms": 20}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    CHECK(hosted.host.start_all() == 2);
    CHECK(hosted.host.start_jobs() == 4);
    CHECK(wait_until([&] { return job(hosted, "good").counts.succeeded >= 2; }));
    INFO(log.text());
    CHECK(log.contains(
        "job 'nope' is not scheduled: plugin 'probe' registered no job task 'nope' (it "
        "registered: count, slow, throws, start_throws, wait_shutdown, a, b, c, d, late)"));
    CHECK(log.contains("job 'lost' is not scheduled: plugin 'broken' failed to load: "));
    CHECK(log.contains("missing.so: no such file"));
    CHECK(log.contains("so it cannot run task 'count'"));
    CHECK(log.contains(
        "job 'idle' is not scheduled: plugin 'off' is disabled in the config, so it cannot run "
        "task 'count'"));
    CHECK(log.contains("job 'failed' is not scheduled: plugin 'starter' failed (start failed: "));
    for (const char* name : {"nope", "lost", "idle", "failed"}) {
        const JobSummary j = job(hosted, name);
        CHECK_FALSE(j.scheduled);
        CHECK_FALSE(j.problem.empty());
        CHECK(j.counts.started == 0);
    }
    CHECK(job(hosted, "good").scheduled);
}

TEST_CASE("jobs: a failing run is logged with the job and plugin, and the job keeps running") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = probe_config(R"(
        {"name": "thrower", "plugin": "probe", "task": "throws", "interval_ms": 20},
        {"name": "early", "plugin": "probe", "task": "start_throws", "interval_ms": 20})");
    HostedPlugins hosted(flavor, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    CHECK(wait_until([&] {
        const auto t = job(hosted, "thrower");
        return t.counts.failed >= 2 && t.counts.succeeded >= 2 &&
               job(hosted, "early").counts.failed >= 2;
    }));
    CHECK(hosted.summary("probe")->state == PluginState::running);
    hosted.host.shutdown();
    INFO(log.text());
    CHECK(log.contains("[probe] error: task failed: job boom"));
    CHECK(log.contains("job 'thrower' (plugin 'probe', task 'throws'): run #1 failed after "));
    CHECK(log.contains("job 'early' (plugin 'probe', task 'start_throws'): run #2 failed after"));
    CHECK(log.contains("[probe] error: job task 'start_throws' failed to start: no task today"));
    const JobSummary t = job(hosted, "thrower");
    CHECK(t.counts.started == t.counts.succeeded + t.counts.failed + t.counts.cancelled);
}

TEST_CASE("jobs: each job tells when it runs next and how its last run ended") {
    LogCapture log;
    const auto config = probe_config(R"(
        {"name": "counter", "plugin": "probe", "task": "count", "interval_ms": 20},
        {"name": "early", "plugin": "probe", "task": "start_throws", "interval_ms": 20},
        {"name": "once", "plugin": "probe", "task": "a", "once_after_ms": 20},
        {"name": "later", "plugin": "probe", "task": "b", "interval_ms": 3600000})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    REQUIRE(wait_until([&] {
        return job(hosted, "counter").counts.succeeded >= 2 &&
               job(hosted, "early").counts.failed >= 1 && job(hosted, "once").counts.succeeded == 1;
    }));
    const auto now = std::chrono::system_clock::now();
    INFO(log.text());
    const JobSummary counter = job(hosted, "counter");
    REQUIRE(counter.next_run);
    CHECK(*counter.next_run < now + 1s);  // every 20 ms: soon (or just due)
    REQUIRE(counter.last_run);
    CHECK(counter.last_run->result == "succeeded");
    CHECK(counter.last_run->message.empty());
    CHECK(counter.last_run->run >= 2);
    CHECK(counter.last_run->ended <= now);
    const JobSummary early = job(hosted, "early");
    REQUIRE(early.last_run);
    CHECK(early.last_run->result == "failed");
    CHECK_THAT(early.last_run->message, Catch::Matchers::Contains("start function"));
    // A `once` job that ran has no next run.
    const JobSummary once = job(hosted, "once");
    CHECK_FALSE(once.next_run);
    REQUIRE(once.last_run);
    CHECK(once.last_run->run == 1);
    // An hourly job waits its hour: its next run is about an hour away, and none ended yet.
    const JobSummary hourly = job(hosted, "later");
    REQUIRE(hourly.next_run);
    CHECK(*hourly.next_run > now + 3500s);
    CHECK(*hourly.next_run < now + 3601s);
    CHECK_FALSE(hourly.last_run);
    hosted.host.shutdown();
}

TEST_CASE("jobs: shutdown stops starting jobs first, and a running job sees the shutdown token") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = probe_config(R"(
        {"name": "waiter", "plugin": "probe", "task": "wait_shutdown", "once_after_ms": 10},
        {"name": "ticker", "plugin": "probe", "task": "count", "interval_ms": 20})");
    std::uint64_t ticks = 0;
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(hosted.host.start_jobs() == 0);
        REQUIRE(log.wait_for("job_probe: waiting for shutdown"));
        CHECK(wait_until([&] { return job(hosted, "ticker").counts.succeeded >= 2; }));
        hosted.host.shutdown();
        ticks = job(hosted, "ticker").counts.started;
        std::this_thread::sleep_for(100ms);
        CHECK(job(hosted, "ticker").counts.started == ticks);
        const JobSummary w = job(hosted, "waiter");
        CHECK(w.counts.succeeded == 1);
        CHECK_FALSE(w.running);
    }
    INFO(log.text());
    const long stopped = log.index_of("job scheduler stopped");
    CHECK(stopped >= 0);
    CHECK(stopped < log.index_of("shutdown requested of"));
    // The tokens fire after the scheduler stopped (the host logs its line after firing them, so
    // the job may see its token before that line).
    CHECK(stopped < log.index_of("job_probe: job saw shutdown"));
    // No run started once the scheduler stopped.
    const auto lines = log.lines();
    for (std::size_t i = static_cast<std::size_t>(stopped); i < lines.size(); ++i)
        CHECK(lines[i].find("starting run") == std::string::npos);
    CHECK(
        log.contains("job 'waiter' (plugin 'probe', task 'wait_shutdown', once after 10 ms): 1 "
                     "runs started, 1 succeeded, 0 failed, 0 cancelled, 0 skipped"));
}

TEST_CASE("jobs: a cron job fires on the wall clock") {
    LogCapture log;
    const auto config = probe_config(
        R"({"name": "every-second", "plugin": "probe", "task": "count", "cron": "* * * * * *"})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    CHECK(wait_until([&] { return job(hosted, "every-second").counts.succeeded >= 1; }, 2500ms));
    CHECK(job(hosted, "every-second").schedule == "cron \"* * * * * *\"");
}

TEST_CASE("jobs: a cron expression that matches no date is reported and not scheduled") {
    LogCapture log;
    const auto config = probe_config(
        R"({"name": "never", "plugin": "probe", "task": "count", "cron": "0 0 0 30 2 *"})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    CHECK(hosted.host.start_jobs() == 0);  // bound; the trigger finds no date
    INFO(log.text());
    CHECK(log.contains(
        "job 'never' is not scheduled: its cron expression \"0 0 0 30 2 *\" matches no date"));
    CHECK_FALSE(job(hosted, "never").scheduled);
}

TEST_CASE("jobs: registering a job task after the jobs were bound is refused") {
    LogCapture log;
    const auto config =
        probe_config(R"({"name": "late", "plugin": "probe", "task": "late", "once_after_ms": 1})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(hosted.host.start_jobs() == 0);
    CHECK(log.wait_for("job_probe: late registration gave unsupported"));
}

TEST_CASE("jobs: the C ABI: registration statuses, C job runs, registrations dropped first") {
    LogCapture log;
    const auto config = config_from(R"({
        "plugins": [{"name": "cj", "path": "bad_c_jobs.so"}],
        "jobs": [
            {"name": "ticks", "plugin": "cj", "task": "tick", "interval_ms": 20},
            {"name": "fails", "plugin": "cj", "task": "fails", "interval_ms": 20},
            {"name": "broken", "plugin": "cj", "task": "no_poll", "interval_ms": 20}]})");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(hosted.host.start_jobs() == 0);
        CHECK(wait_until([&] {
            return job(hosted, "ticks").counts.succeeded >= 2 &&
                   job(hosted, "fails").counts.failed >= 2 &&
                   job(hosted, "broken").counts.failed >= 2;
        }));
    }
    INFO(log.text());
    CHECK(log.contains("[cj] info: c_jobs: NULL name gave invalid argument"));
    CHECK(log.contains("[cj] info: c_jobs: empty name gave invalid argument"));
    CHECK(log.contains("[cj] info: c_jobs: NULL start gave invalid argument"));
    CHECK(log.contains(
        "[cj] info: c_jobs: duplicate gave already exists (weft_job_register: this plugin "
        "already registered a job task named 'tick')"));
    CHECK(log.contains("[cj] info: c_jobs: tick run 2 of ticks"));
    CHECK(log.contains("job 'fails' (plugin 'cj', task 'fails'): run #1 failed after"));
    CHECK(log.contains("its start function returned \"plugin error\""));
    CHECK(log.contains("its start function returned no poll function"));
    const long dropped = log.index_of("c_jobs: registration dropped tick");
    CHECK(dropped >= 0);
    CHECK(dropped < log.index_of("c_jobs: destroy"));
}

TEST_CASE("plugin abi: a plugin built for an older minor (1.0) loads and runs on this host") {
    LogCapture log;
    const auto config =
        config_from(R"({"plugins": [{"name": "old", "path": "bad_older_minor.so"}]})");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        CHECK(hosted.host.start_all() == 0);
        const auto s = hosted.summary("old");
        REQUIRE(s);
        CHECK(s->state == PluginState::running);
        CHECK(s->abi == "1.0");
    }
    INFO(log.text());
    CHECK(log.contains("[old] info: older-minor: init"));
    CHECK(log.contains("[old] info: older-minor: destroy"));
}
