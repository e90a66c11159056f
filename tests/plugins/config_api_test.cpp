// The plugin's config by JSON pointer (plugin.h 6.11) across the real ABI: a C plugin
// (bad/c_config.c) asks the host for typed values and logs each status and value.
#include <catch2/catch.hpp>

#include "host/plugin/inspect.hpp"
#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

// Runs c_config with `probes` ([kind, pointer] pairs) beside `values` and returns its log.
std::string probe(const std::string& probes, const std::string& values) {
    LogCapture log;
    const auto config = config_from(R"({"plugins": [{"name": "c", "path": "bad_c_config.so",
        "config": {"probes": )" + probes +
                                    ", " + values + "}}]}");
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
    }
    return log.text();
}

}  // namespace

TEST_CASE("config api: typed values by JSON pointer, nested objects and arrays") {
    const std::string log = probe(
        R"([["int", "/rate_hz"], ["double", "/ratio"], ["double", "/rate_hz"],
            ["bool", "/enabled"], ["string", "/name"], ["length", "/targets"],
            ["int", "/targets/1/port"], ["string", "/a~1b"], ["int", "/big"]])",
        R"("rate_hz": 250, "ratio": 0.5, "enabled": true, "name": "events",
           "targets": [{"port": 1}, {"port": 8080}], "a/b": "slash", "big": -9007199254740993)");
    INFO(log);
    CHECK_THAT(log, Catch::Contains("c-config: int /rate_hz -> WEFT_OK 250"));
    CHECK_THAT(log, Catch::Contains("c-config: double /ratio -> WEFT_OK 0.5"));
    CHECK_THAT(log, Catch::Contains("c-config: double /rate_hz -> WEFT_OK 250"));
    CHECK_THAT(log, Catch::Contains("c-config: bool /enabled -> WEFT_OK 1"));
    CHECK_THAT(log, Catch::Contains("c-config: string /name -> WEFT_OK \"events\" (6 bytes)"));
    CHECK_THAT(log, Catch::Contains("c-config: length /targets -> WEFT_OK 2"));
    CHECK_THAT(log, Catch::Contains("c-config: int /targets/1/port -> WEFT_OK 8080"));
    CHECK_THAT(log, Catch::Contains("c-config: string /a~1b -> WEFT_OK \"slash\" (5 bytes)"));
    CHECK_THAT(log, Catch::Contains("c-config: int /big -> WEFT_OK -9007199254740993"));
}

TEST_CASE("config api: a missing value is not found, naming the pointer") {
    const std::string log =
        probe(R"([["int", "/absent"], ["int", "/targets/5"], ["string", "/name/deeper"]])",
              R"("targets": [1], "name": "x")");
    INFO(log);
    CHECK_THAT(log,
               Catch::Contains("c-config: int /absent -> not found "
                               "(weft_config_get_int: the config has no value at \"/absent\")"));
    CHECK_THAT(log, Catch::Contains("c-config: int /targets/5 -> not found"));
    CHECK_THAT(log, Catch::Contains("c-config: string /name/deeper -> not found"));
}

TEST_CASE("config api: a value of another type is a mismatch, saying what was found") {
    const std::string log = probe(
        R"([["int", "/name"], ["int", "/ratio"], ["int", "/huge"], ["bool", "/one"],
            ["string", "/one"], ["length", "/name"], ["double", "/flag"]])",
        R"("name": "x", "ratio": 2.5, "huge": 18446744073709551615, "one": 1, "flag": false)");
    INFO(log);
    CHECK_THAT(log,
               Catch::Contains("c-config: int /name -> mismatch (kind, capacity or type) "
                               "(weft_config_get_int: \"/name\" is a string, not an integer)"));
    CHECK_THAT(log, Catch::Contains("\"/ratio\" is the number 2.5, not an integer"));
    CHECK_THAT(log, Catch::Contains("\"/huge\" is the number 18446744073709551615, not an integer "
                                    "that fits in int64_t"));
    CHECK_THAT(log, Catch::Contains("\"/one\" is the number 1, not true or false"));
    CHECK_THAT(log, Catch::Contains("\"/one\" is the number 1, not a string"));
    CHECK_THAT(log, Catch::Contains("\"/name\" is a string, not an array"));
    CHECK_THAT(log, Catch::Contains("\"/flag\" is false, not a number"));
}

TEST_CASE("config api: a pointer without its leading slash is an invalid argument") {
    const std::string log = probe(R"([["int", "rate_hz"], ["length", ""]])", R"("rate_hz": 1)");
    INFO(log);
    CHECK_THAT(log, Catch::Contains("c-config: int rate_hz -> invalid argument "
                                    "(weft_config_get_int: \"rate_hz\" is not a JSON pointer"));
    // "" is the whole config: an object, not an array.
    CHECK_THAT(log, Catch::Contains("c-config: length  -> mismatch"));
}

TEST_CASE("config api: the C example plugin reads its names through the host") {
    LogCapture log;
    const auto bad = config_from(R"({"plugins": [
        {"name": "c", "path": ")" WEFT_TEST_PLUGIN_DIR R"(/notify-c.so",
         "config": {"notify": 7}}]})");
    {
        HostedPlugins hosted(Flavor::multi_thread, bad, kDir);
        CHECK(hosted.host.start_all() == 1);
    }
    INFO(log.text());
    CHECK(log.contains("\"notify\" must be a Notify's name (a non-empty string)"));
}

TEST_CASE("plugin abi: a 1.1 plugin (descriptor without manifest) loads, runs and is checked") {
    LogCapture log;
    const auto config = config_from(R"({"plugins": [{"name": "old", "path": "bad_abi_1_1.so"}],
        "jobs": [{"name": "j", "plugin": "old", "task": "anything", "interval_ms": 1000}]})");
    // No manifest: check-config has nothing to hold the job against.
    CHECK(host::validate_plugins(config, kDir).empty());
    {
        HostedPlugins hosted(Flavor::multi_thread, config, kDir);
        CHECK(hosted.host.start_all() == 0);
        const auto s = hosted.summary("old");
        REQUIRE(s);
        CHECK(s->state == host::PluginState::running);
        CHECK(s->abi == "1.1");
    }
    INFO(log.text());
    CHECK(log.contains("[old] info: abi-1.1: init"));
    CHECK(log.contains("[old] info: abi-1.1: destroy"));
}
