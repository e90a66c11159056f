// Cross-plugin messaging through the registry: plugins that never saw each other's code exchange
// messages over named channels and Notify; kinds and capacities are checked; every message a
// channel accepted is delivered or reported. Both flavors.
#include <catch2/catch.hpp>

#include "host/plugin/inspect.hpp"
#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

}  // namespace

TEST_CASE("plugin messaging: mpsc between two plugins, in order, with backpressure") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"numbers": {"kind": "mpsc", "capacity": 8}},
        "plugins": [
          {"name": "rx", "path": "messenger.so", "config": {"mode": "recv", "count": 2000}},
          {"name": "tx", "path": "messenger.so", "config": {"mode": "send", "count": 2000}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("messenger: received 2000 in order"));
        REQUIRE(log.wait_for("[tx] info: messenger: sent 2000"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].accepted == 2000);
        CHECK(report[0].delivered == 2000);
        CHECK(report[0].dropped == 0);
    }
    INFO(log.text());
    CHECK(log.contains("[rx] info: messenger: closed after 2000"));
    CHECK(log.contains("every message accepted by a channel was delivered"));
    CHECK_FALSE(log.contains("out of order"));
    CHECK_FALSE(log.contains("still running"));
}

TEST_CASE("plugin messaging: a channel created by its first open is shared by name") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "rx", "path": "messenger.so",
         "config": {"mode": "recv", "channel": "fresh", "kind": "mpsc", "capacity": 2, "count": 100}},
        {"name": "tx", "path": "messenger.so",
         "config": {"mode": "send", "channel": "fresh", "count": 100}}]})");
    HostedPlugins hosted(flavor, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    CHECK(log.wait_for("[rx] info: messenger: received 100 in order"));
}

TEST_CASE("plugin messaging: opening with another kind or capacity names both") {
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"numbers": {"kind": "mpsc", "capacity": 8}},
        "plugins": [
          {"name": "kind", "path": "messenger.so",
           "config": {"mode": "open", "kind": "broadcast", "capacity": 16}},
          {"name": "cap", "path": "messenger.so",
           "config": {"mode": "open", "kind": "mpsc", "capacity": 4}},
          {"name": "same", "path": "messenger.so",
           "config": {"mode": "open", "kind": "mpsc", "capacity": 8}},
          {"name": "any", "path": "messenger.so", "config": {"mode": "open"}},
          {"name": "missing", "path": "messenger.so",
           "config": {"mode": "open", "channel": "nowhere"}}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    INFO(log.text());
    CHECK(
        log.contains("[kind] info: messenger: open failed: opening channel 'numbers': channel "
                     "'numbers' is mpsc with capacity 8 (declared in the config), but plugin "
                     "'kind' opened it as broadcast with capacity 16 (mismatch (kind, "
                     "capacity or type))"));
    CHECK(log.contains("[kind] error: channel 'numbers' is mpsc with capacity 8"));
    CHECK(
        log.contains("[cap] info: messenger: open failed: opening channel 'numbers': channel "
                     "'numbers' is mpsc with capacity 8 (declared in the config), but plugin "
                     "'cap' opened it as mpsc with capacity 4"));
    CHECK(log.contains("[same] info: messenger: open ok"));
    CHECK(log.contains("[any] info: messenger: open ok"));
    CHECK(
        log.contains("[missing] info: messenger: open failed: opening channel 'nowhere': "
                     "channel 'nowhere' does not exist"));
}

TEST_CASE("plugin messaging: one receiving task at a time on an mpsc channel") {
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "busy", "path": "messenger.so", "config": {"mode": "busy", "channel": "b"}}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    CHECK(log.wait_for("[busy] info: messenger: second receiver: busy"));
}

TEST_CASE("plugin messaging: Notify ping-pong between two plugins") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "pong", "path": "messenger.so", "config": {"mode": "pong"}},
        {"name": "ping", "path": "messenger.so", "config": {"mode": "ping", "rounds": 1000}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[ping] info: messenger: rounds 1000"));
    }
    INFO(log.text());
    CHECK(log.contains("[pong] info: messenger: ponged 1000"));
}

TEST_CASE("plugin messaging: the C plugin wakes on a Notify from a C++ plugin") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "notify-c", "path": ")" WEFT_TEST_PLUGIN_DIR R"(/notify-c.so",
         "config": {"notify": "tick", "ack": "tock"}},
        {"name": "driver", "path": "messenger.so",
         "config": {"mode": "notifier", "notify": "tick", "ack": "tock", "count": 5}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[driver] info: messenger: notified 5"));
    }
    INFO(log.text());
    for (int i = 1; i <= 5; ++i)
        CHECK(log.contains("[notify-c] info: notify-c: woken by 'tick' (wake #" +
                           std::to_string(i) + ")"));
    CHECK(log.contains("[notify-c] info: notify-c: stopping after 5 wakes"));
}

TEST_CASE("plugin messaging: the C plugin's config is validated") {
    const auto config = config_from(R"({"plugins": [
        {"name": "c", "path": "notify-c.so", "config": {"ack": "x"}}]})");
    const auto errors = host::validate_plugins(config, WEFT_TEST_PLUGIN_DIR);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Contains("\"notify\" must name the Notify to wait on"));
}

TEST_CASE("plugin messaging: named semaphores") {
    LogCapture log;
    const auto config = config_from(R"({"semaphores": {"db": 2}, "plugins": [
        {"name": "sem", "path": "messenger.so",
         "config": {"mode": "semaphore", "name": "db", "permits": 2}},
        {"name": "bad", "path": "messenger.so",
         "config": {"mode": "semaphore", "name": "db", "permits": 3}}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(log.wait_for("[sem] info: messenger: released, available 2"));
    INFO(log.text());
    CHECK(log.contains("[sem] info: messenger: holding 2, try got 0, available 0"));
    CHECK(
        log.wait_for("semaphore 'db' has 2 permits (declared in the config), but plugin "
                     "'bad' opened it with 3"));
}

TEST_CASE("plugin messaging: accepted but undelivered messages are reported at shutdown") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"numbers": {"kind": "mpsc", "capacity": 8}},
        "plugins": [{"name": "tx", "path": "messenger.so", "config": {"mode": "hold", "count": 5}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("messenger: holding after 5"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].accepted == 5);
        CHECK(report[0].dropped == 5);
    }
    INFO(log.text());
    CHECK(
        log.contains("channel 'numbers': 5 messages accepted, 0 delivered, 5 dropped (5 still "
                     "buffered at shutdown"));
}

TEST_CASE("plugin messaging: a receiver drains what a stopping sender sent, then sees it closed") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"numbers": {"kind": "mpsc", "capacity": 64}},
        "plugins": [
          {"name": "tx", "path": "messenger.so", "config": {"mode": "hold", "count": 50}},
          {"name": "rx", "path": "messenger.so", "config": {"mode": "recv", "count": 50}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("messenger: holding after 50"));
        hosted.host.shutdown();
    }
    INFO(log.text());
    CHECK(log.contains("[rx] info: messenger: closed after 50"));
    CHECK(log.contains("every message accepted by a channel was delivered"));
    CHECK_FALSE(log.contains("still running"));
}

TEST_CASE("plugin messaging: broadcast delivers every message to every receiving plugin") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"events": {"kind": "broadcast", "capacity": 1024}},
        "plugins": [
          {"name": "a", "path": "messenger.so", "config": {"mode": "recv", "channel": "events", "count": 500}},
          {"name": "b", "path": "messenger.so", "config": {"mode": "recv", "channel": "events", "count": 500}},
          {"name": "tx", "path": "messenger.so", "config": {"mode": "send", "channel": "events", "count": 500}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[a] info: messenger: received 500 in order"));
        REQUIRE(log.wait_for("[b] info: messenger: received 500 in order"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].accepted == 500);
        CHECK(report[0].delivered == 1000);
        CHECK(report[0].dropped + report[0].lagged + report[0].unheard == 0);
    }
    INFO(log.text());
    CHECK(log.contains("[a] info: messenger: closed after 500"));
    CHECK(log.contains("[b] info: messenger: closed after 500"));
    CHECK(log.contains("500 messages accepted, 1000 delivered (once per receiver)"));
}

TEST_CASE("plugin messaging: a lagging broadcast receiver is told how much it missed") {
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"events": {"kind": "broadcast", "capacity": 4}},
        "plugins": [
          {"name": "slow", "path": "messenger.so", "config": {"mode": "recv", "channel": "events", "count": 1000}},
          {"name": "tx", "path": "messenger.so", "config": {"mode": "send", "channel": "events", "count": 1000}}]})");
    {
        HostedPlugins hosted(Flavor::current_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[tx] info: messenger: sent 1000"));
        REQUIRE(log.wait_for("[slow] info: messenger: lagged"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].lagged > 0);
        CHECK(report[0].delivered + report[0].lagged + report[0].dropped == 1000);
    }
    INFO(log.text());
    CHECK(log.contains("[slow] info: messenger: closed after 1000"));
    CHECK(log.contains("skipped by lagging receivers"));
}

TEST_CASE("plugin messaging: a broadcast nobody listens to is reported, not silently lost") {
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"events": {"kind": "broadcast", "capacity": 16}},
        "plugins": [{"name": "tx", "path": "messenger.so", "config": {"mode": "send", "channel": "events", "count": 3}}]})");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[tx] info: messenger: sent 3"));
    }
    INFO(log.text());
    CHECK(log.contains("3 sent while no receiver listened"));
}

TEST_CASE("plugin messaging: watch receivers see the latest value and its changes") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"state": {"kind": "watch"}},
        "plugins": [
          {"name": "w", "path": "messenger.so", "config": {"mode": "recv", "channel": "state", "count": 300}},
          {"name": "tx", "path": "messenger.so", "config": {"mode": "send", "channel": "state", "count": 300}},
          {"name": "late", "path": "messenger.so", "config": {"mode": "open", "channel": "state"}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[w] info: messenger: received 300 in order"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].accepted == 300);
        CHECK(report[0].delivered >= 1);
    }
    INFO(log.text());
    CHECK(log.contains("[w] info: messenger: closed after 300"));
    CHECK_FALSE(log.contains("out of order"));
}

TEST_CASE("plugin messaging: MPMC gives each message to exactly one receiving plugin") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    const auto config = config_from(R"({
        "channels": {"jobs": {"kind": "mpmc", "capacity": 4}},
        "plugins": [
          {"name": "a", "path": "messenger.so", "config": {"mode": "count", "channel": "jobs"}},
          {"name": "b", "path": "messenger.so", "config": {"mode": "count", "channel": "jobs"}},
          {"name": "tx", "path": "messenger.so", "config": {"mode": "send", "channel": "jobs", "count": 1000}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[tx] info: messenger: sent 1000"));
        hosted.host.shutdown();
        const auto report = hosted.host.registry().report();
        REQUIRE(report.size() == 1);
        CHECK(report[0].accepted == 1000);
        CHECK(report[0].delivered == 1000);
    }
    INFO(log.text());
    // Each counted some; together they got every message once: 1 + ... + 1000 = 500500.
    std::uint64_t total = 0, sum = 0;
    for (const auto& line : log.lines()) {
        const auto at = line.find("messenger: counted ");
        if (at == std::string::npos) continue;
        unsigned long long n = 0, s = 0;
        REQUIRE(std::sscanf(line.c_str() + at, "messenger: counted %llu summing %llu", &n, &s) ==
                2);
        total += n;
        sum += s;
    }
    CHECK(total == 1000);
    CHECK(sum == 500500);
}

TEST_CASE("plugin messaging: the coop budget applies across the ABI") {
    // On one thread, a plugin task that sends in a loop on a channel that never makes it wait
    // must still let the other plugins' tasks run: every host operation spends budget.
    LogCapture log;
    const auto config = config_from(R"({"plugins": [
        {"name": "spin", "path": "messenger.so", "config": {"mode": "spin", "channel": "noise"}},
        {"name": "pong", "path": "messenger.so", "config": {"mode": "pong"}},
        {"name": "ping", "path": "messenger.so", "config": {"mode": "ping", "rounds": 100}}]})");
    {
        HostedPlugins hosted(Flavor::current_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("[ping] info: messenger: rounds 100"));
    }
    INFO(log.text());
    CHECK(log.contains("[spin] info: messenger: spun "));
}
