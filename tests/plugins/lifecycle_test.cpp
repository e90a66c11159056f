// The plugin lifecycle on a real runtime: hook order, failing and throwing hooks and tasks, the
// shutdown sequence (token, grace period, stop, cancel, destroy, unload). Both flavors.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;
using host::PluginState;

const char* kBadDir = WEFT_TEST_BAD_PLUGIN_DIR;

}  // namespace

TEST_CASE("plugin lifecycle: hooks run in order and the task sees the shutdown token") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "life", "path": "bad_lifecycle.so", "config": {"answer": 42}}]})");
    {
        HostedPlugins hosted(flavor, config, kBadDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(hosted.summary("life")->state == PluginState::running);
        CHECK(hosted.summary("life")->version == "2.3.4");
        hosted.host.shutdown();
        CHECK(hosted.summary("life")->state == PluginState::unloaded);
    }
    INFO(log.text());
    CHECK(log.contains("[life] info: lifecycle: init name=life config={\"answer\":42}"));
    const long init = log.index_of("lifecycle: init");
    const long start = log.index_of("lifecycle: start");
    const long token = log.index_of("lifecycle: task saw the shutdown token");
    const long dropped = log.index_of("lifecycle: task dropped");
    const long stop = log.index_of("lifecycle: stop");
    const long destroy = log.index_of("lifecycle: destroy");
    CHECK(init >= 0);
    CHECK(init < start);
    CHECK(start < token);
    CHECK(token < dropped);
    CHECK(dropped < stop);
    CHECK(stop < destroy);
    CHECK_FALSE(log.contains("still running"));
}

TEST_CASE("plugin lifecycle: a task ignoring the token is cancelled after the grace period") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "stubborn", "path": "bad_lifecycle.so", "config": {"stubborn": true}}]})");
    {
        HostedPlugins hosted(flavor, config, kBadDir, 100ms);
        REQUIRE(hosted.host.start_all() == 0);
        hosted.host.shutdown();
        CHECK(hosted.summary("stubborn")->state == PluginState::unloaded);
    }
    INFO(log.text());
    const long warned = log.index_of("1 tasks still running after the grace period (100 ms)");
    const long stop = log.index_of("lifecycle: stop");
    const long dropped = log.index_of("lifecycle: task dropped");
    const long destroy = log.index_of("lifecycle: destroy");
    CHECK(warned >= 0);
    CHECK(warned < stop);
    CHECK(stop < dropped);  // stop first, then what is left is cancelled
    CHECK(dropped < destroy);
}

TEST_CASE("plugin lifecycle: failing plugins are reported and the others keep running") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "major", "path": "bad_wrong_major.so"},
        {"name": "minor", "path": "bad_newer_minor.so"},
        {"name": "noentry", "path": "bad_no_entry.so"},
        {"name": "initfail", "path": "bad_init_fails.so"},
        {"name": "throws", "path": "bad_hook_throws.so"},
        {"name": "missing", "path": "nope.so"},
        {"name": "life", "path": "bad_lifecycle.so"}]})");
    HostedPlugins hosted(flavor, config, kBadDir);
    CHECK(hosted.host.start_all() == 6);
    INFO(log.text());
    for (const char* name : {"major", "minor", "noentry", "initfail", "throws", "missing"}) {
        INFO(name);
        REQUIRE(hosted.summary(name));
        CHECK(hosted.summary(name)->state == PluginState::failed);
    }
    CHECK(hosted.summary("life")->state == PluginState::running);

    CHECK(log.contains("plugin 'major': "));
    CHECK(log.contains("built for plugin ABI 2.0, but this weftd provides ABI " +
                       std::to_string(WEFT_PLUGIN_ABI_MAJOR) + "." +
                       std::to_string(WEFT_PLUGIN_ABI_MINOR)));
    CHECK(log.contains("plugin 'minor': "));
    CHECK(log.contains("plugin 'noentry': "));
    CHECK(log.contains("plugin 'missing': "));
    // init's own message, tagged with the plugin's name; the task it spawned was cancelled and
    // dropped, and destroy was not called after a failed init.
    CHECK(log.contains("[initfail] error: init failed"));
    CHECK(log.contains("cannot open /nonexistent/device (config key \"device\") [plugin error]"));
    CHECK(log.contains("[initfail] info: init-fails: pending task dropped"));
    CHECK_FALSE(log.contains("destroy called after a failed init"));
    // An exception thrown through the C ABI by a hook is caught and reported.
    CHECK(log.contains("[throws] error: start failed: threw an exception: start exploded"));
    CHECK(hosted.summary("throws")->failure == "start failed: threw an exception: start exploded");

    hosted.host.shutdown();
    CHECK(log.contains("lifecycle: destroy"));
}

TEST_CASE("plugin lifecycle: a throwing or failing task is reported, the plugin keeps running") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "tasks", "path": "bad_task_throws.so"}]})");
    HostedPlugins hosted(flavor, config, kBadDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(log.wait_for("join 2: "));
    INFO(log.text());
    // Each failure's line names the task (its number and spawn site) and why.
    CHECK(log.contains("[tasks] error: task #"));
    CHECK(log.contains(") failed: its poll threw an exception: task exploded"));
    CHECK(log.contains(") failed: its poll returned \"closed\""));
    CHECK(log.contains("[tasks] info: join 0: task failed"));
    CHECK(log.contains("[tasks] info: join 1: task failed"));
    CHECK(log.contains("[tasks] info: join 2: ok"));
    CHECK(hosted.summary("tasks")->state == PluginState::running);
}

TEST_CASE("plugin lifecycle: a C plugin wakes its task from the blocking pool with a waker") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [{"name": "w", "path": "bad_c_waker.so"}]})");
    HostedPlugins hosted(flavor, config, kBadDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(log.wait_for("c-waker: workers"));
    INFO(log.text());
    CHECK(log.contains("[w] info: c-waker: woken by a blocking job"));
    CHECK(log.contains("[w] info: c-waker: job returned empty"));
    CHECK(log.contains("[w] info: c-waker: workers " +
                       std::string(flavor == Flavor::current_thread ? "1" : "2") + ", my tasks 1"));
}
