// ConfigDiff: what a live reload must do between two valid configs (host/daemon/config_diff.hpp).
#include <catch2/catch.hpp>

#include <string>

#include "host/daemon/config_diff.hpp"

using Catch::Matchers::Contains;
using weft::host::Config;
using weft::host::diff_configs;

namespace {

const weft::host::EnvLookup kNoEnv = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
};

Config parse(const std::string& text) {
    auto result = weft::host::parse_config(text, "test.json", kNoEnv);
    INFO(text);
    REQUIRE(result.ok());
    return *result.config;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("config diff: plugins are matched by name and a change of config alone can be live") {
    const Config before = parse(R"({"plugins": [
        {"name": "a", "path": "a.so"}, {"name": "b", "path": "b.so", "config": {"x": 1}},
        {"name": "c", "path": "c.so"}, {"name": "d", "path": "d.so", "enabled": false}]})");
    const Config after = parse(R"({"plugins": [
        {"name": "b", "path": "b.so", "config": {"x": 2}}, {"name": "c", "path": "c2.so"},
        {"name": "d", "path": "d.so"}, {"name": "e", "path": "e.so"}]})");
    const auto d = diff_configs(before, after);
    CHECK(d.plugins_removed == Names{"a"});
    CHECK(d.plugins_changed == Names{"b", "c"});
    CHECK(d.plugins_config_only == Names{"b"});
    CHECK(d.plugins_added == Names{"d", "e"});  // d was disabled: enabling it adds it
    CHECK(d.refused.empty());
    CHECK(d.needs_restart.empty());
}

TEST_CASE("config diff: the same file is no change at all") {
    const std::string text = R"({"plugins": [{"name": "a", "path": "a.so"}],
        "jobs": [{"name": "j", "plugin": "a", "task": "t", "cron": "*/5 * * * * *"}],
        "channels": {"c": {"kind": "mpsc", "capacity": 4}}, "semaphores": {"s": 1},
        "runtime": {"budget": 64}, "log": {"level": "debug"}})";
    const auto d = diff_configs(parse(text), parse(text));
    CHECK(d.plugins_added.empty());
    CHECK(d.plugins_removed.empty());
    CHECK(d.plugins_changed.empty());
    CHECK_FALSE(d.jobs_differ());
    CHECK(d.channels_added.empty());
    CHECK_FALSE(d.log_changed);
    CHECK_FALSE(d.admin_changed);
    CHECK_FALSE(d.shutdown_changed);
    CHECK(d.needs_restart.empty());
}

TEST_CASE("config diff: jobs added and removed and rescheduled") {
    const std::string plugin = R"("plugins": [{"name": "a", "path": "a.so"}])";
    const Config before = parse("{" + plugin + R"(, "jobs": [
        {"name": "keep", "plugin": "a", "task": "t", "interval_ms": 100},
        {"name": "move", "plugin": "a", "task": "t", "interval_ms": 100},
        {"name": "drop", "plugin": "a", "task": "t", "once_after_ms": 5}]})");
    const Config after = parse("{" + plugin + R"(, "jobs": [
        {"name": "keep", "plugin": "a", "task": "t", "interval_ms": 100},
        {"name": "move", "plugin": "a", "task": "t", "cron": "* * * * * *"},
        {"name": "new", "plugin": "a", "task": "t", "interval_ms": 100, "priority": 3}]})");
    const auto d = diff_configs(before, after);
    CHECK(d.jobs_added == Names{"new"});
    CHECK(d.jobs_removed == Names{"drop"});
    CHECK(d.jobs_changed == Names{"move"});
}

TEST_CASE(
    "config diff: a live channel or semaphore or pool that changes is refused as needing a "
    "restart") {
    const Config before = parse(R"({"channels": {"c": {"kind": "mpsc", "capacity": 4},
        "w": {"kind": "watch"}, "gone": {"kind": "mpmc", "capacity": 2}},
        "semaphores": {"s": 1},
        "pools": {"p": {"kind": "resource", "max_size": 2}}})");
    const Config after = parse(R"({"channels": {"c": {"kind": "mpsc", "capacity": 8},
        "w": {"kind": "broadcast", "capacity": 2}, "new": {"kind": "mpsc", "capacity": 1}},
        "semaphores": {"s": 2, "t": 1},
        "pools": {"p": {"kind": "resource", "max_size": 3}}})");
    const auto d = diff_configs(before, after);
    REQUIRE(d.refused.size() == 4);
    CHECK_THAT(d.refused[0], Contains("/channels/c: channel 'c' is mpsc with capacity 4; changing "
                                      "it to mpsc with capacity 8 needs a restart"));
    CHECK_THAT(d.refused[1],
               Contains("/channels/w: channel 'w' is watch; changing it to broadcast"));
    CHECK_THAT(d.refused[2], Contains("/semaphores/s: semaphore 's' has 1 permits; changing it to "
                                      "2 needs a restart"));
    CHECK_THAT(d.refused[3], Contains("/pools/p: changing pool 'p' needs a restart"));
    CHECK(d.channels_added == Names{"new"});
    CHECK(d.channels_removed == Names{"gone"});
    CHECK(d.semaphores_added == Names{"t"});
}

TEST_CASE(
    "config diff: runtime and crash_loop need a restart while log and admin and shutdown are "
    "live") {
    const Config before = parse(R"({})");
    const Config after = parse(R"({"runtime": {"worker_threads": 2},
        "crash_loop": {"max_crashes": 5}, "log": {"format": "json"},
        "admin": {"socket": "/tmp/x.sock"}, "shutdown": {"grace_period_ms": 10}})");
    const auto d = diff_configs(before, after);
    CHECK(d.needs_restart == Names{"runtime", "crash_loop"});
    CHECK(d.log_changed);
    CHECK(d.admin_changed);
    CHECK(d.shutdown_changed);
    CHECK(d.refused.empty());
}
