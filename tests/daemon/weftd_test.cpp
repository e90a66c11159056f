// weftd end to end: the real binary (WEFTD_PATH) as a child process, driven by signals and
// configs, judged by its exit code and its output.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.hpp"
#include "weft/version.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;

namespace {

const std::string kWeftd = WEFTD_PATH;
const std::string kDefaultConfig = std::string(WEFT_SOURCE_DIR) + "/config/weftd.json";

// Runs a short command to completion; fails the test if it hangs.
int run_to_exit(Child& child) {
    const auto code = child.wait_exit();
    REQUIRE(code.has_value());
    return *code;
}

// Starts `weftd run`, waits for it to be up, sends `signum` and checks the graceful exit.
void check_graceful_stop(int signum, std::string_view name) {
    Child weftd({kWeftd, "run", "-c", kDefaultConfig});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    weftd.send(signum);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    const std::string log = weftd.err();
    CHECK_THAT(log, Contains("received " + std::string(name) + ", shutting down"));
    CHECK_THAT(log, Contains("weftd stopped"));
}

}  // namespace

TEST_CASE("weftd run: SIGTERM stops it gracefully with exit code 0") {
    check_graceful_stop(SIGTERM, "SIGTERM");
}

TEST_CASE("weftd run: SIGINT stops it gracefully with exit code 0") {
    check_graceful_stop(SIGINT, "SIGINT");
}

TEST_CASE("weftd run: SIGHUP does not stop it") {
    Child weftd({kWeftd, "run", "-c", kDefaultConfig});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    weftd.send(SIGHUP);
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "reload #1 (SIGHUP): reading"));
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

TEST_CASE("weftd run: SIGHUP applies a new log level and names what needs a restart") {
    const TempDir dir;
    const std::string plugins = R"("plugins": [{"name": "heartbeat", "path": "heartbeat.so",
                                    "config": {"interval_ms": 5000, "message": "alive"}}])";
    const auto config = dir.write("weftd.json", R"({"log": {"level": "info"}, )" + plugins + "}");
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", WEFT_TEST_PLUGIN_DIR});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));

    dir.write("weftd.json",
              R"({"log": {"level": "debug"}, "runtime": {"budget": 64}, )" + plugins + "}");
    weftd.send(SIGHUP);
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "take effect at the next restart"));
    CHECK_THAT(weftd.err(), Contains("reload #1 (SIGHUP): applied: log level info -> debug; "
                                     "runtime changed but take effect at the next restart"));

    // A broken file changes nothing, and weftd keeps running.
    dir.write("weftd.json", R"({"log": {"level": "error"}, "runtime": {"budget": 0}})");
    weftd.send(SIGHUP);
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "nothing changed"));
    CHECK_THAT(weftd.err(), Contains("/runtime/budget: must be between 1 and"));

    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    // The plugin's logger follows the new level: its debug line at unload is written.
    CHECK_THAT(weftd.err(), Contains("[heartbeat] unloaded"));
}

TEST_CASE("weftd run: json log format writes one JSON object per line") {
    const TempDir dir;
    const auto config = dir.write("json.json", R"({"log": {"format": "json", "level": "debug"}})");
    Child weftd({kWeftd, "run", "-c", config.string()});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    weftd.send(SIGTERM);
    REQUIRE(weftd.wait_exit() == 0);
    std::istringstream lines(weftd.err());
    int records = 0;
    for (std::string line; std::getline(lines, line); ++records) {
        INFO(line);
        const auto record = nlohmann::json::parse(line);  // throws, failing the test, if invalid
        CHECK(record.at("logger") == "weftd");
        CHECK(record.contains("time"));
        CHECK(record.contains("level"));
    }
    CHECK(records >= 3);  // started, received SIGTERM, stopped
}

TEST_CASE("weftd run: a broken config exits 3 naming the file and line") {
    const TempDir dir;
    const auto config = dir.write("broken.json", "{\n  \"log\": {\n    \"level\": info\n  }\n}\n");
    Child weftd({kWeftd, "run", "-c", config.string()});
    CHECK(run_to_exit(weftd) == 3);
    CHECK_THAT(weftd.err(), Contains(config.string() + ": line 3"));
}

TEST_CASE("weftd run: an invalid config exits 3 with every error") {
    const TempDir dir;
    const auto config =
        dir.write("invalid.json", R"({"runtime": {"budget": 0}, "log": {"lvl": "info"}})");
    Child weftd({kWeftd, "run", "-c", config.string()});
    CHECK(run_to_exit(weftd) == 3);
    const std::string err = weftd.err();
    CHECK_THAT(err, Contains("/runtime/budget: must be between 1 and 1000000, got 0"));
    CHECK_THAT(err, Contains("/log/lvl: unknown key"));
    CHECK_THAT(err, !Contains("weftd started"));
}

TEST_CASE("weftd run: a missing config file exits 3") {
    Child weftd({kWeftd, "run", "-c", "/nonexistent/weftd.json"});
    CHECK(run_to_exit(weftd) == 3);
    CHECK_THAT(weftd.err(), Contains("/nonexistent/weftd.json: cannot open config file"));
}

TEST_CASE("weftd check-config: the default config is valid") {
    Child weftd({kWeftd, "check-config", "-c", kDefaultConfig});
    CHECK(run_to_exit(weftd) == 0);
    CHECK_THAT(weftd.out(), Contains("weftd.json: valid"));
}

TEST_CASE("weftd check-config: an invalid config exits 3 listing each error") {
    const TempDir dir;
    const auto config = dir.write("bad.json", R"({"runtime": {"flavor": "x", "budget": true}})");
    Child weftd({kWeftd, "check-config", "-c", config.string(), "--plugin-dir", "/tmp"});
    CHECK(run_to_exit(weftd) == 3);
    const std::string err = weftd.err();
    CHECK_THAT(err, Contains("/runtime/flavor: must be one of"));
    CHECK_THAT(err, Contains("/runtime/budget: expected integer, got boolean true"));
    CHECK_THAT(err, Contains(": 2 errors"));
}

TEST_CASE("weftd version: prints version and git and libuv") {
    Child weftd({kWeftd, "version"});
    CHECK(run_to_exit(weftd) == 0);
    const std::string out = weftd.out();
    CHECK_THAT(out, Contains("weftd " + std::string(weft::build_info::kVersion)));
    CHECK_THAT(out, Contains("git revision: " + std::string(weft::build_info::kGitRevision)));
    CHECK_THAT(out, Contains("libuv: 1."));
}

TEST_CASE("weftd check-config: counts of one are singular") {
    const TempDir dir;
    const auto one_error = dir.write("one_error.json", R"({"runtime": {"budget": 0}})");
    Child invalid({kWeftd, "check-config", "-c", one_error.string()});
    CHECK(run_to_exit(invalid) == 3);
    CHECK_THAT(invalid.err(), Contains(one_error.string() + ": 1 error\n"));
    const auto one_each = dir.write("one_each.json", R"({"channels": {"c": {"kind": "watch"}},
                                      "semaphores": {"s": 1}})");
    Child valid({kWeftd, "check-config", "-c", one_each.string()});
    INFO(valid.err());
    CHECK(run_to_exit(valid) == 0);
    CHECK_THAT(valid.out(), Contains("valid (0 plugins, 0 jobs, 1 channel, 1 semaphore)"));
}

TEST_CASE("weftd: usage errors exit 2") {
    Child no_command({kWeftd});
    CHECK(run_to_exit(no_command) == 2);
    Child no_config({kWeftd, "run"});
    CHECK(run_to_exit(no_config) == 2);
    CHECK_THAT(no_config.err(), Contains("--config"));
    Child unknown({kWeftd, "frobnicate"});
    CHECK(run_to_exit(unknown) == 2);
}

TEST_CASE("weftd: a mistyped command names the closest command and exits 2") {
    Child status({kWeftd, "stauts"});
    CHECK(run_to_exit(status) == 2);
    CHECK_THAT(status.err(), Contains("unknown command 'stauts' (did you mean 'status'?)"));
    Child inspect({kWeftd, "plugin", "inspcet", "x.so"});
    CHECK(run_to_exit(inspect) == 2);
    CHECK_THAT(inspect.err(),
               Contains("weftd plugin: unknown command 'inspcet' (did you mean 'inspect'?)"));
    Child nothing_close({kWeftd, "frobnicate"});
    CHECK(run_to_exit(nothing_close) == 2);
    CHECK_THAT(nothing_close.err(), Contains("unknown command 'frobnicate'; see 'weftd --help'"));
}

TEST_CASE("weftd --help: documents the exit codes") {
    Child weftd({kWeftd, "--help"});
    CHECK(run_to_exit(weftd) == 0);
    const std::string out = weftd.out();
    CHECK_THAT(out, Contains("Exit codes:"));
    CHECK_THAT(out, Contains("3  configuration error"));
}

TEST_CASE("weftd check-config: an invalid environment variable is named, not the file") {
    Child check({kWeftd, "check-config", "-c", kDefaultConfig}, {"WEFT_FLAVOR=multi"});
    REQUIRE(run_to_exit(check) == 3);
    const std::string err = check.err();
    INFO(err);
    CHECK_THAT(err, Contains("environment: WEFT_FLAVOR: must be one of"));
    CHECK_THAT(err, Contains("environment: 1 error in WEFT_* variables"));
    CHECK(err.find(kDefaultConfig) == std::string::npos);
}
