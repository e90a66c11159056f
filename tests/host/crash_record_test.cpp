// Crash-loop protection's record (host/crash/crash_record.hpp) and its config keys: which plugin
// is quarantined after how many crashes in which window, how a release or a config change ends
// it, where the state directory is, and the shutdown and crash_loop keys' validation.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/config/config.hpp"
#include "host/crash/crash_record.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using weft::host::Config;

namespace {

const weft::host::EnvLookup kNoEnv = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
};

Config config_of(const std::string& text, const weft::host::EnvLookup& env = kNoEnv) {
    auto r = weft::host::parse_config(text, "test.json", env);
    if (!r.ok()) FAIL(r.errors.front());
    return *r.config;
}

std::string errors_of(const std::string& text) {
    const auto r = weft::host::parse_config(text, "test.json", kNoEnv);
    std::string all;
    for (const auto& e : r.errors) all += e + "\n";
    return all;
}

const std::string kTwoPlugins = R"({"crash_loop": {"max_crashes": 2, "window_minutes": 10},
    "plugins": [{"name": "a", "path": "a.so", "config": {"x": 1}},
                {"name": "b", "path": "b.so"}]})";

std::string crash_line(std::int64_t at, const Config& c, const std::string& name) {
    for (const auto& p : c.plugins)
        if (p.name == name)
            return std::to_string(at) + " crash " + name + " " + weft::host::crash_config_key(p) +
                   "\n";
    return {};
}

}  // namespace

TEST_CASE("crash record: a plugin with max_crashes crashes within the window is quarantined") {
    const Config c = config_of(kTwoPlugins);
    const std::int64_t now = 100'000;
    const std::string record =
        crash_line(now - 60, c, "a") + crash_line(now - 30, c, "a") + crash_line(now - 20, c, "b");
    const auto q = weft::host::quarantined_plugins(record, c, now);
    REQUIRE(q.size() == 1);
    REQUIRE(q.count("a") == 1);
    CHECK(q.at("a").crashes == 2);
    CHECK(q.at("a").last_crash_unix == now - 30);
}

TEST_CASE("crash record: crashes older than the window do not count") {
    const Config c = config_of(kTwoPlugins);
    const std::int64_t now = 100'000;
    const std::string record = crash_line(now - 11 * 60, c, "a") + crash_line(now - 5, c, "a");
    CHECK(weft::host::quarantined_plugins(record, c, now).empty());
}

TEST_CASE("crash record: a release counts the earlier crashes out") {
    const Config c = config_of(kTwoPlugins);
    const std::int64_t now = 100'000;
    std::string record = crash_line(now - 60, c, "a") + crash_line(now - 50, c, "a");
    record += std::to_string(now - 40) + " release a\n";
    CHECK(weft::host::quarantined_plugins(record, c, now).empty());
    record += crash_line(now - 30, c, "a") + crash_line(now - 20, c, "a");
    CHECK(weft::host::quarantined_plugins(record, c, now).count("a") == 1);
}

TEST_CASE("crash record: crashes under another config of the plugin do not count") {
    const Config before = config_of(kTwoPlugins);
    const std::int64_t now = 100'000;
    const std::string record =
        crash_line(now - 60, before, "a") + crash_line(now - 50, before, "a");
    std::string changed = kTwoPlugins;
    changed.replace(changed.find("\"x\": 1"), 6, "\"x\": 2");
    CHECK(weft::host::quarantined_plugins(record, config_of(changed), now).empty());
    CHECK(weft::host::quarantined_plugins(record, before, now).count("a") == 1);
}

TEST_CASE("crash record: max_crashes 0 turns the protection off and torn lines are ignored") {
    std::string off = kTwoPlugins;
    off.replace(off.find("\"max_crashes\": 2"), 16, "\"max_crashes\": 0");
    const Config c = config_of(off);
    const std::string record = crash_line(99'990, c, "a") + "garbage\n12 crash\n";
    CHECK(weft::host::quarantined_plugins(record, c, 100'000).empty());
    const Config on = config_of(kTwoPlugins);
    CHECK(weft::host::quarantined_plugins("garbage\n12 crash\n" + crash_line(99'990, on, "a"), on,
                                          100'000)
              .empty());
}

TEST_CASE("crash record: open compacts old crashes and release appends a line") {
    const fs::path dir =
        fs::temp_directory_path() / ("weft-crash-record-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const Config c = config_of(kTwoPlugins);
    const std::int64_t now = 100'000;
    fs::create_directories(dir);
    std::ofstream(dir / "crashes.log")
        << crash_line(now - 3600, c, "a") << crash_line(now - 5, c, "b");
    std::string error;
    {
        auto record = weft::host::CrashRecord::open(dir, c, now, error);
        REQUIRE(record);
        CHECK(record->fd() >= 0);
        CHECK(record->text() == crash_line(now - 5, c, "b"));
    }
    REQUIRE(weft::host::release_plugin(dir, "b", now, error));
    std::ifstream in(dir / "crashes.log");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text == crash_line(now - 5, c, "b") + std::to_string(now) + " release b\n");
    fs::remove_all(dir);
}

TEST_CASE("crash record: an unusable state directory is an error naming it") {
    std::string error;
    const auto record =
        weft::host::CrashRecord::open("/proc/weft-no-such-dir", config_of("{}"), 0, error);
    CHECK_FALSE(record);
    CHECK_THAT(error, Contains("/proc/weft-no-such-dir"));
}

TEST_CASE(
    "crash record: the state directory is the config's, else STATE_DIRECTORY, else "
    "/var/lib/weft") {
    const auto systemd = [](const char* name) -> std::optional<std::string> {
        if (std::string(name) == "STATE_DIRECTORY") return "/var/lib/weft:/var/lib/other";
        return std::nullopt;
    };
    CHECK(weft::host::resolve_state_directory(config_of("{}"), kNoEnv) == "/var/lib/weft");
    CHECK(weft::host::resolve_state_directory(config_of("{}"), systemd) == "/var/lib/weft");
    const auto only_env = [](const char* name) -> std::optional<std::string> {
        if (std::string(name) == "STATE_DIRECTORY") return "/srv/state";
        return std::nullopt;
    };
    CHECK(weft::host::resolve_state_directory(config_of("{}"), only_env) == "/srv/state");
    CHECK(weft::host::resolve_state_directory(
              config_of(R"({"crash_loop": {"state_directory": "/tmp/x"}})"), only_env) == "/tmp/x");
}

TEST_CASE("config: crash_loop and shutdown.hook_timeout_ms have documented defaults and ranges") {
    const Config c = config_of("{}");
    CHECK(c.shutdown.hook_timeout_ms == 5000);
    CHECK(c.crash_loop.max_crashes == 3);
    CHECK(c.crash_loop.window_minutes == 10);
    CHECK_FALSE(c.crash_loop.state_directory.has_value());
    CHECK_THAT(errors_of(R"({"shutdown": {"hook_timeout_ms": 0}})"),
               Contains("/shutdown/hook_timeout_ms: must be between 1 and 3600000, got 0"));
    CHECK_THAT(errors_of(R"({"crash_loop": {"window_minutes": 0}})"),
               Contains("/crash_loop/window_minutes: must be between 1 and 10080, got 0"));
    CHECK_THAT(errors_of(R"({"crash_loop": {"max_crashes": 1001}})"),
               Contains("/crash_loop/max_crashes: must be between 0 and 1000, got 1001"));
    CHECK_THAT(errors_of(R"({"crash_loop": {"state_directory": "state"}})"),
               Contains("/crash_loop/state_directory: must be an absolute path"));
    CHECK_THAT(errors_of(R"({"crash_loop": {"max_crash": 1}})"),
               Contains("/crash_loop/max_crash: unknown key"));
}
