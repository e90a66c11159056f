// Plugin manifests (plugin.h, ABI 1.2) in check-config: a config that would fail at run time
// because a job names a task its plugin never registers, or a channel is declared with another
// kind or capacity than a plugin opens, is reported before weftd runs. The example plugins
// declare their manifests with the C++ SDK (heartbeat, producer, consumer) and in C (notify-c).
#include <catch2/catch.hpp>

#include "../daemon/child_process.hpp"
#include "host/plugin/inspect.hpp"
#include "support.hpp"

namespace {

using namespace weft;

const char* kPlugins = WEFT_TEST_PLUGIN_DIR;

std::vector<std::string> check(const std::string& json) {
    return host::validate_plugins(test::config_from(json), kPlugins);
}

std::string joined(const std::vector<std::string>& errors) {
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    return all;
}

}  // namespace

TEST_CASE("manifest: a job naming a task its plugin does not register is an error") {
    const auto errors = check(R"({"plugins": [{"name": "hb", "path": "heartbeat.so"},
                                              {"name": "c", "path": "notify-c.so",
                                               "config": {"notify": "tick"}}],
        "jobs": [{"name": "ok", "plugin": "hb", "task": "report", "interval_ms": 1000},
                 {"name": "typo", "plugin": "hb", "task": "reprot", "interval_ms": 1000},
                 {"name": "none", "plugin": "c", "task": "report", "interval_ms": 1000}]})");
    INFO(joined(errors));
    REQUIRE(errors.size() == 2);
    CHECK(errors[0] ==
          "/jobs/1/task: plugin 'hb' registers no task 'reprot' (its manifest lists: 'report')");
    CHECK(errors[1] ==
          "/jobs/2/task: plugin 'c' registers no task 'report' (its manifest lists: "
          "none)");
}

TEST_CASE("manifest: a declared channel's capacity must be what the plugin opens") {
    SECTION("the default capacity") {
        const auto errors = check(R"({"channels": {"records": {"kind": "mpsc", "capacity": 32}},
            "plugins": [{"name": "p", "path": "producer.so"}]})");
        INFO(joined(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] ==
              "/channels/records/capacity: 'records' is declared with capacity 32, "
              "but plugin 'p' (/plugins/0) opens it with capacity 64");
    }
    SECTION("name and capacity from the plugin's config") {
        const auto errors = check(R"({"channels": {"records": {"kind": "mpsc", "capacity": 32},
                                                   "events": {"kind": "mpsc", "capacity": 32}},
            "plugins": [{"name": "p", "path": "producer.so",
                         "config": {"channel": "events", "capacity": 16}},
                        {"name": "q", "path": "producer.so",
                         "config": {"channel": "records", "capacity": 32}}]})");
        INFO(joined(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] ==
              "/channels/events/capacity: 'events' is declared with capacity 32, "
              "but plugin 'p' (/plugins/0) opens it with capacity 16");
    }
}

TEST_CASE("manifest: a declared channel's kind must be what the plugin opens") {
    const auto errors = check(R"({"channels": {"records": {"kind": "broadcast", "capacity": 64}},
        "plugins": [{"name": "p", "path": "producer.so"}, {"name": "c", "path": "consumer.so",
                     "config": {"path": "/dev/null"}}]})");
    INFO(joined(errors));
    // The consumer opens whatever was declared: only the producer disagrees.
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "/channels/records/kind: 'records' is declared broadcast, but plugin 'p' "
          "(/plugins/0) opens it as mpsc");
}

TEST_CASE("manifest: two plugins opening an undeclared channel differently is an error") {
    const auto errors = check(R"({"plugins": [
        {"name": "p1", "path": "producer.so"},
        {"name": "p2", "path": "producer.so", "config": {"capacity": 8}}]})");
    INFO(joined(errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "/plugins/1: plugin 'p2' opens channel records (mpsc, capacity 8, send), "
          "but plugin 'p1' (/plugins/0) opens it as records (mpsc, capacity 64, "
          "send); declare it in /channels");
}

TEST_CASE("manifest: what check-config reports does fail at run time") {
    test::LogCapture log;
    const auto config = test::config_from(
        R"({"channels": {"records": {"kind": "mpsc", "capacity": 32}},
            "plugins": [{"name": "p", "path": ")" WEFT_TEST_PLUGIN_DIR R"(/producer.so"}]})");
    REQUIRE(host::validate_plugins(config, kPlugins).size() == 1);
    {
        test::HostedPlugins hosted(Flavor::multi_thread, config, kPlugins);
        CHECK(hosted.host.start_all() == 1);
    }
    INFO(log.text());
    CHECK(log.contains("capacity 32"));
}

TEST_CASE("manifest: weftd check-config and plugin inspect show it") {
    test::TempDir dir;
    const auto config = dir.write("weftd.json", R"({"plugins": [{"name": "hb",
        "path": "heartbeat.so"}], "jobs": [{"name": "j", "plugin": "hb", "task": "nope",
        "interval_ms": 1000}]})");
    test::Child check_config(
        {WEFTD_PATH, "check-config", "-c", config.string(), "--plugin-dir", kPlugins});
    REQUIRE(check_config.wait_exit() == 3);
    CHECK_THAT(check_config.err(),
               Catch::Contains(config.string() + ": /jobs/0/task: plugin 'hb' registers no task "
                                                 "'nope' (its manifest lists: 'report')"));
    test::Child inspect({WEFTD_PATH, "plugin", "inspect", std::string(kPlugins) + "/producer.so"});
    REQUIRE(inspect.wait_exit() == 0);
    CHECK_THAT(inspect.out(), Catch::Contains("tasks:    none"));
    CHECK_THAT(inspect.out(), Catch::Contains("channels: records (mpsc, capacity 64, send)"));
}
