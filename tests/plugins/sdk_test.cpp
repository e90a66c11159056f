// The C++ SDK through the real host: coroutines on the poll ABI, spawn and join, exceptions at
// every boundary, the shutdown token. Both flavors.
#include <catch2/catch.hpp>

#include "host/plugin/inspect.hpp"
#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;
using host::PluginState;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

}  // namespace

TEST_CASE("plugin sdk: tasks, joins, exceptions, yield, abort and shutdown") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "probe", "path": "sdk_probe.so", "config": {"mode": "tasks"}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("probe: abort gave"));
        hosted.host.shutdown();
    }
    INFO(log.text());
    CHECK(log.contains("[probe] info: probe: sum 5"));
    CHECK(log.contains("[probe] error: task failed: boom"));  // the SDK's line, with the message
    CHECK(log.contains("[probe] info: probe: caught boom"));
    CHECK(log.contains("[probe] info: probe: depth 200"));
    CHECK(log.contains("[probe] info: probe: yielded 1000 times"));
    CHECK(log.contains("[probe] info: probe: abort gave cancelled"));
    CHECK(log.index_of("probe: saw shutdown") < log.index_of("probe: stop"));
    CHECK(log.index_of("probe: stop") < log.index_of("probe: destroyed"));
    CHECK_FALSE(log.contains("still running"));
}

TEST_CASE("plugin sdk: an exception from a hook becomes its status and message") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "starter", "path": "sdk_probe.so", "config": {"mode": "start_throws"}},
        {"name": "ctor", "path": "sdk_probe.so", "config": {"mode": "ctor_throws", "n": "x"}},
        {"name": "fine", "path": "sdk_probe.so", "config": {"mode": "tasks"}}]})");
    HostedPlugins hosted(flavor, config, kDir);
    CHECK(hosted.host.start_all() == 2);
    INFO(log.text());
    CHECK(log.contains("[starter] error: start failed: no upstream (closed) [closed]"));
    CHECK(hosted.summary("starter")->state == PluginState::failed);
    CHECK(log.contains("[starter] info: probe: destroyed"));  // destroy ran after init succeeded
    CHECK(log.contains("[ctor] error: init failed"));
    CHECK(
        log.contains("invalid config: \"n\": expected an integer, got a string [invalid "
                     "argument]"));
    CHECK(hosted.summary("ctor")->state == PluginState::failed);
    CHECK(hosted.summary("fine")->state == PluginState::running);
}

TEST_CASE("plugin sdk: a task's exception is logged and the plugin keeps running") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "thrower", "path": "sdk_probe.so", "config": {"mode": "task_throws"}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("task failed: detached boom"));
        CHECK(hosted.summary("thrower")->state == PluginState::running);
    }
    INFO(log.text());
    CHECK(log.contains("[thrower] error: task failed: detached boom"));
    CHECK(log.contains("[thrower] info: probe: survivor saw shutdown"));
}

TEST_CASE("plugin sdk: spawn_named names the task in the host's lines and refuses a bad name") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "named", "path": "sdk_probe.so", "config": {"mode": "named"}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("'boomer' failed"));
        CHECK(hosted.summary("named")->state == PluginState::running);
    }
    INFO(log.text());
    // The host's failure line names the task by its name, not by the SDK's poll function.
    CHECK(log.contains("[named] error: task #"));
    CHECK(log.contains(" 'boomer' failed: its poll returned"));
    CHECK(log.contains(
        "probe: bad name refused: weft::spawn_named: weft_task_spawn_named: the name holds the "
        "control character 10"));
    CHECK_FALSE(log.contains("a name with a newline was accepted"));
    // A name of exactly WEFT_TASK_NAME_MAX bytes is taken: its task ran to the shutdown.
    CHECK(log.contains("[named] info: probe: survivor saw shutdown"));
}

TEST_CASE("plugin sdk: validate runs the class's static validate") {
    const auto config = config_from(R"({"plugins": [
        {"name": "p", "path": "sdk_probe.so", "config": {"mode": "dance"}}]})");
    const auto errors = host::validate_plugins(config, kDir);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Contains("invalid config: unknown mode \"dance\""));
}

TEST_CASE("plugin sdk: sleep, sleep_until, timeout, first_of and spawn_blocking") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "probe", "path": "sdk_probe.so", "config": {"mode": "time"}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("probe: blocking threw"));
    }
    INFO(log.text());
    CHECK(log.contains("[probe] info: probe: sleep(20ms) ok"));
    CHECK(log.contains("[probe] info: probe: sleep_until ok"));
    CHECK(log.contains("[probe] info: probe: timeout fired"));
    CHECK(log.contains("[probe] info: probe: first_of picked 1"));
    CHECK(log.contains("[probe] info: probe: blocking gave 42"));
    CHECK(log.contains("[probe] info: probe: blocking threw disk on fire"));
    CHECK(log.contains("[probe] info: probe: saw shutdown"));
}

TEST_CASE("plugin sdk: heartbeat beats on its interval and stops at once on shutdown") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "hb", "path": ")" WEFT_TEST_PLUGIN_DIR R"(/heartbeat.so",
         "config": {"interval_ms": 10, "message": "thump"}}]})");
    std::chrono::steady_clock::duration shutdown_took{};
    {
        HostedPlugins hosted(flavor, config, kDir, std::chrono::seconds(10));
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[hb] info: thump #3"));
        const auto start = std::chrono::steady_clock::now();
        hosted.host.shutdown();
        shutdown_took = std::chrono::steady_clock::now() - start;
    }
    INFO(log.text());
    CHECK(log.contains("[hb] info: stopping after "));
    CHECK_FALSE(log.contains("still running"));
    // Promptly: long before the 10 s grace period (generous for a loaded machine).
    CHECK(shutdown_took < std::chrono::seconds(3));
}
