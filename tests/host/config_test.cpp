// Config loading: every kind of bad input yields a message an operator can act on (file, JSON
// path, what was expected), all errors come at once, and a valid file yields the right values.
//
// Test names avoid commas and brackets: CTest passes each name to Catch2 as a test spec.
#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "host/config/config.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using weft::host::ConfigResult;

namespace {

// No WEFT_* variables, whatever the environment running the tests holds.
const weft::host::EnvLookup kNoEnv = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
};

weft::host::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

ConfigResult parse(std::string_view text, const weft::host::EnvLookup& env = kNoEnv) {
    return weft::host::parse_config(text, "test.json", env);
}

// All errors on one line each, for matching and for Catch's failure output.
std::string errors_of(std::string_view text) {
    const ConfigResult result = parse(text);
    std::string joined;
    for (const auto& error : result.errors) joined += error + "\n";
    return joined;
}

// A file in a fresh temporary directory, removed afterwards.
class TempDir {
   public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "weft-config-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    fs::path write(const std::string& name, std::string_view text) const {
        const fs::path file = path_ / name;
        std::ofstream(file) << text;
        return file;
    }
    const fs::path& path() const { return path_; }

   private:
    fs::path path_;
};

}  // namespace

TEST_CASE("config: a missing file is one error naming the file and the OS reason") {
    const ConfigResult result = weft::host::load_config("/nonexistent/weftd.json", kNoEnv);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 1);
    CHECK_THAT(result.errors[0], Contains("/nonexistent/weftd.json"));
    CHECK_THAT(result.errors[0], Contains("No such file or directory"));
}

TEST_CASE("config: a directory is one error naming it") {
    const TempDir dir;
    const ConfigResult result = weft::host::load_config(dir.path(), kNoEnv);
    REQUIRE(result.errors.size() == 1);
    CHECK_THAT(result.errors[0], Contains(dir.path().string()));
    CHECK_THAT(result.errors[0], Contains("Is a directory"));
}

TEST_CASE("config: invalid JSON names the file with line and column") {
    const TempDir dir;
    const fs::path file = dir.write("broken.json", "{\n  \"runtime\": {\n    \"budget\": 12,,\n");
    const ConfigResult result = weft::host::load_config(file, kNoEnv);
    REQUIRE(result.errors.size() == 1);
    CHECK_THAT(result.errors[0], Contains(file.string() + ": line 3, column 18: invalid JSON"));
}

TEST_CASE("config: an empty file is an error") {
    CHECK_THAT(errors_of("  \n"), Contains("test.json: line 1, column 1: the file is empty"));
}

TEST_CASE("config: an empty object is valid and gives the defaults") {
    const ConfigResult result = parse("{}");
    REQUIRE(result.ok());
    const auto& config = *result.config;
    CHECK(config.runtime.flavor == weft::Flavor::multi_thread);
    CHECK_FALSE(config.runtime.worker_threads.has_value());
    CHECK(config.runtime.max_blocking_threads == 512);
    CHECK(config.runtime.thread_keep_alive_ms == 10000);
    CHECK(config.runtime.global_queue_interval == 31);
    CHECK(config.runtime.event_interval == 61);
    CHECK(config.runtime.budget == 128);
    CHECK(config.runtime.lifo_slot);
    CHECK(config.runtime.long_poll_threshold_ms == 100);
    CHECK(config.runtime.poll_clock == weft::host::PollClockChoice::coarse);
    CHECK(config.shutdown.grace_period_ms == 5000);
    CHECK(config.shutdown.blocking_timeout_ms == 2000);
    CHECK(config.log.level == weft::host::LogLevel::info);
    CHECK(config.log.format == weft::host::LogFormat::text);
    CHECK(config.log.target == weft::host::LogTarget::stderr_stream);
    CHECK(config.admin.socket == "/run/weft/admin.sock");
    CHECK(config.plugins.empty());
    CHECK(config.jobs.empty());
}

TEST_CASE("config: a document that is not an object is an error") {
    CHECK_THAT(errors_of("[1]"), Contains("test.json: /: expected object, got array"));
}

TEST_CASE("config: an unknown top-level key is named") {
    CHECK_THAT(errors_of(R"({"runtimes": {}})"),
               Contains("test.json: /runtimes: unknown key (did you mean \"runtime\"?)"));
    CHECK_THAT(errors_of(R"({"zzz": 1})"),
               Contains("test.json: /zzz: unknown key (expected one of"));
}

TEST_CASE("config: an unknown nested key is named with its path and a suggestion") {
    CHECK_THAT(errors_of(R"({"runtime": {"worker_thread": 4}})"),
               Contains("test.json: /runtime/worker_thread: unknown key (did you mean "
                        "\"worker_threads\"?)"));
    CHECK_THAT(errors_of(R"({"plugins": [{"name": "a", "path": "a.so", "enabeld": true}]})"),
               Contains("/plugins/0/enabeld: unknown key (did you mean \"enabled\"?)"));
    CHECK_THAT(errors_of(R"({"channels": {"ev": {"kind": "mpsc", "capacity": 1, "size": 2}}})"),
               Contains("/channels/ev/size: unknown key"));
}

TEST_CASE("config: a plugin's own config may hold any keys") {
    const ConfigResult result = parse(
        R"({"plugins": [{"name": "p", "path": "p.so", "config": {"anything": [1, {"x": null}]}}]})");
    REQUIRE(result.ok());
    CHECK(result.config->plugins.at(0).config.at("anything").at(1).contains("x"));
}

TEST_CASE("config: long_poll_threshold_ms and poll_clock are read and checked") {
    const ConfigResult result =
        parse(R"({"runtime": {"long_poll_threshold_ms": 0, "poll_clock": "precise"}})");
    REQUIRE(result.ok());
    CHECK(result.config->runtime.long_poll_threshold_ms == 0);
    CHECK(result.config->runtime.poll_clock == weft::host::PollClockChoice::precise);
    CHECK_THAT(errors_of(R"({"runtime": {"long_poll_threshold_ms": 3600001}})"),
               Contains("/runtime/long_poll_threshold_ms: must be between 0 and 3600000"));
    CHECK_THAT(errors_of(R"({"runtime": {"poll_clock": "fast"}})"),
               Contains("/runtime/poll_clock: "));
}

TEST_CASE("config: a wrong type names the path and both types") {
    CHECK_THAT(errors_of(R"({"runtime": {"worker_threads": "4"}})"),
               Contains("test.json: /runtime/worker_threads: expected integer, got string \"4\""));
    CHECK_THAT(errors_of(R"({"runtime": {"budget": 1.5}})"),
               Contains("/runtime/budget: expected integer, got number 1.5"));
    CHECK_THAT(errors_of(R"({"runtime": {"lifo_slot": 1}})"),
               Contains("/runtime/lifo_slot: expected boolean, got integer 1"));
    CHECK_THAT(errors_of(R"({"log": []})"), Contains("/log: expected object, got array"));
    CHECK_THAT(errors_of(R"({"plugins": {}})"), Contains("/plugins: expected array, got object"));
}

TEST_CASE("config: an out-of-range value names the path and the range") {
    CHECK_THAT(errors_of(R"({"runtime": {"budget": 0}})"),
               Contains("test.json: /runtime/budget: must be between 1 and 1000000, got 0"));
    CHECK_THAT(errors_of(R"({"runtime": {"worker_threads": 1025}})"),
               Contains("/runtime/worker_threads: must be between 1 and 1024, got 1025"));
    CHECK_THAT(errors_of(R"({"shutdown": {"grace_period_ms": -1}})"),
               Contains("/shutdown/grace_period_ms: must be between 0 and 3600000, got -1"));
    CHECK_THAT(errors_of(R"({"semaphores": {"db": 18446744073709551615}})"),
               Contains("/semaphores/db: must be between 0 and 1073741824"));
    CHECK_THAT(errors_of(R"({"channels": {"ev": {"kind": "mpsc", "capacity": 16777217}}})"),
               Contains("/channels/ev/capacity: must be between 1 and 16777216"));
}

TEST_CASE("config: a bad enum value lists the choices and suggests one") {
    CHECK_THAT(errors_of(R"({"runtime": {"flavor": "multi-thread"}})"),
               Contains("/runtime/flavor: must be one of \"multi_thread\", \"current_thread\", got "
                        "\"multi-thread\" (did you mean \"multi_thread\"?)"));
    CHECK_THAT(errors_of(R"({"log": {"level": "verbose"}})"),
               Contains("/log/level: must be one of"));
}

TEST_CASE("config: several errors are reported together") {
    const ConfigResult result = parse(R"({
        "runtime": {"budget": 0, "flavor": 3, "bogus": true},
        "log": {"level": "loud"},
        "jobs": [{"name": "j", "plugin": "nope", "task": "t", "interval_ms": 10}]
    })");
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 5);
    for (const auto& error : result.errors) CHECK_THAT(error, Contains("test.json: /"));
}

TEST_CASE("config: a key given twice is an error") {
    CHECK_THAT(errors_of(R"({"runtime": {"budget": 1, "budget": 2}})"),
               Contains("test.json: /runtime/budget: duplicate key"));
    CHECK_THAT(errors_of(R"({"plugins": [{"name": "a", "path": "a", "path": "b"}]})"),
               Contains("/plugins/0/path: duplicate key"));
}

TEST_CASE("config: a bad cron expression is reported with the field") {
    const auto job = [](std::string_view cron) {
        return fmt::format(
            R"({{"plugins": [{{"name": "p", "path": "p.so"}}],
                "jobs": [{{"name": "j", "plugin": "p", "task": "t", "cron": "{}"}}]}})",
            cron);
    };
    CHECK_THAT(
        errors_of(job("*/5 * * * *")),
        Contains("/jobs/0/cron: invalid cron expression \"*/5 * * * *\": expected 6 fields"));
    CHECK_THAT(errors_of(job("0 60 * * * *")),
               Contains("minutes field \"60\": 60 is out of range 0-59"));
    CHECK_THAT(errors_of(job("*/0 * * * * *")), Contains("seconds field \"*/0\": step must be"));
    CHECK_THAT(errors_of(job("0 0 5-2 * * *")), Contains("range 5-2 is reversed"));
    CHECK(parse(job("1/10 * * * * *")).ok());
    CHECK(parse(job("0 */5 8-18 1,15 1-12/2 0-7")).ok());
}

TEST_CASE("config: a job needs exactly one schedule") {
    const std::string plugins = R"("plugins": [{"name": "p", "path": "p.so"}])";
    CHECK_THAT(
        errors_of("{" + plugins + R"(, "jobs": [{"name": "j", "plugin": "p", "task": "t"}]})"),
        Contains("test.json: /jobs/0: needs a schedule"));
    CHECK_THAT(errors_of("{" + plugins +
                         R"(, "jobs": [{"name": "j", "plugin": "p", "task": "t",
                            "interval_ms": 5, "once_after_ms": 5}]})"),
               Contains("/jobs/0: has 2 schedules"));
}

TEST_CASE("config: duplicate plugin names are an error") {
    CHECK_THAT(
        errors_of(R"({"plugins": [{"name": "p", "path": "a.so"}, {"name": "p", "path": "b.so"}]})"),
        Contains("test.json: /plugins/1/name: duplicate plugin name \"p\" (first used at "
                 "/plugins/0)"));
    CHECK_THAT(errors_of(R"({"plugins": [{"name": "p q", "path": "a.so"}]})"),
               Contains("/plugins/0/name: invalid plugin name \"p q\""));
    CHECK_THAT(errors_of(R"({"plugins": [{"name": "p"}]})"),
               Contains("/plugins/0: missing required key \"path\""));
}

TEST_CASE("config: duplicate job names are an error even when the first has other errors") {
    CHECK_THAT(
        errors_of(R"({"plugins": [{"name": "p", "path": "p.so"}],
                             "jobs": [{"name": "j", "plugin": "p", "task": "t", "cron": "bad"},
                                      {"name": "j", "plugin": "p", "task": "t", "interval_ms": 1}]})"),
        Contains("test.json: /jobs/1/name: duplicate job name \"j\" (first used at /jobs/0)"));
}

TEST_CASE("config: a job naming an unknown plugin is an error") {
    CHECK_THAT(errors_of(R"({"plugins": [{"name": "p", "path": "p.so"}],
                             "jobs": [{"name": "j", "plugin": "q", "task": "t", "interval_ms": 1}]})"),
               Contains("test.json: /jobs/0/plugin: unknown plugin \"q\""));
}

TEST_CASE("config: channels need a capacity except watch channels") {
    CHECK_THAT(errors_of(R"({"channels": {"ev": {"kind": "mpsc"}}})"),
               Contains("/channels/ev: missing required key \"capacity\""));
    CHECK_THAT(errors_of(R"({"channels": {"w": {"kind": "watch", "capacity": 4}}})"),
               Contains("/channels/w/capacity: not allowed for a watch channel"));
    CHECK(parse(R"({"channels": {"w": {"kind": "watch"}}})").ok());
}

TEST_CASE("config: the admin tcp endpoint must be loopback") {
    CHECK_THAT(errors_of(R"({"admin": {"tcp": "0.0.0.0:80"}})"),
               Contains("/admin/tcp: must be a loopback"));
    CHECK_THAT(errors_of(R"({"admin": {"tcp": "127.0.0.1:99999"}})"), Contains("/admin/tcp"));
    const ConfigResult result = parse(R"({"admin": {"tcp": "127.0.0.1:9090"}})");
    REQUIRE(result.ok());
    CHECK(result.config->admin.tcp->host == "127.0.0.1");
    CHECK(result.config->admin.tcp->port == 9090);
}

TEST_CASE("config: environment variables override the file") {
    const ConfigResult result =
        parse(R"({"runtime": {"worker_threads": 2, "flavor": "multi_thread"}})",
              env_of({{"WEFT_WORKER_THREADS", "7"},
                      {"WEFT_MAX_BLOCKING_THREADS", "9"},
                      {"WEFT_FLAVOR", "current_thread"},
                      {"WEFT_LOG_LEVEL", "debug"},
                      {"WEFT_ADMIN_SOCKET", "/tmp/w/admin.sock"}}));
    REQUIRE(result.ok());
    CHECK(result.config->runtime.worker_threads == 7u);
    CHECK(result.config->runtime.max_blocking_threads == 9);
    CHECK(result.config->runtime.flavor == weft::Flavor::current_thread);
    CHECK(result.config->log.level == weft::host::LogLevel::debug);
    CHECK(result.config->admin.socket == "/tmp/w/admin.sock");
}

TEST_CASE("config: an empty environment variable counts as unset") {
    const ConfigResult result = parse("{}", env_of({{"WEFT_LOG_LEVEL", ""}}));
    REQUIRE(result.ok());
    CHECK(result.config->log.level == weft::host::LogLevel::info);
}

TEST_CASE("config: an invalid environment variable is an error naming it") {
    const ConfigResult result = parse("{}", env_of({{"WEFT_WORKER_THREADS", "0"},
                                                    {"WEFT_FLAVOR", "fast"},
                                                    {"WEFT_ADMIN_SOCKET", std::string(200, 'x')}}));
    REQUIRE(result.errors.size() == 3);
    CHECK_THAT(result.errors[0], Contains("environment: WEFT_WORKER_THREADS: must be an integer "
                                          "between 1 and 1024, got \"0\""));
    CHECK_THAT(result.errors[1], Contains("environment: WEFT_FLAVOR: must be one of"));
    CHECK_THAT(result.errors[2],
               Contains("environment: WEFT_ADMIN_SOCKET: must be at most 107 bytes"));
}

TEST_CASE("config: the process environment is read by default") {
    REQUIRE(::setenv("WEFT_MAX_BLOCKING_THREADS", "33", 1) == 0);
    const ConfigResult result = weft::host::parse_config("{}", "test.json");
    ::unsetenv("WEFT_MAX_BLOCKING_THREADS");
    REQUIRE(result.ok());
    CHECK(result.config->runtime.max_blocking_threads == 33);
}

TEST_CASE("config: a full valid config parses into the right values") {
    const ConfigResult result = parse(R"({
        "runtime":  { "flavor": "current_thread", "worker_threads": 4, "max_blocking_threads": 64,
                      "thread_keep_alive_ms": 500, "global_queue_interval": 7,
                      "event_interval": 9, "budget": 32, "lifo_slot": false },
        "shutdown": { "grace_period_ms": 100, "blocking_timeout_ms": 0 },
        "log":      { "level": "warn", "format": "json", "target": "journald" },
        "admin":    { "socket": "/tmp/weft.sock", "tcp": "localhost:9100" },
        "channels": { "events": { "kind": "broadcast", "capacity": 1024 },
                      "state": { "kind": "watch" } },
        "semaphores": { "db": 8, "none": 0 },
        "plugins":  [ { "name": "producer", "path": "producer.so", "config": { "rate_hz": 100 } },
                      { "name": "consumer", "path": "/opt/c.so", "enabled": false } ],
        "jobs":     [ { "name": "rollup", "plugin": "producer", "task": "rollup",
                        "cron": "0 */5 * * * *", "priority": 10, "overlap": "queue" },
                      { "name": "tick", "plugin": "consumer", "task": "t", "interval_ms": 250 },
                      { "name": "warmup", "plugin": "producer", "task": "w",
                        "once_after_ms": 0, "priority": -1000 } ]
    })");
    for (const auto& error : result.errors) UNSCOPED_INFO(error);
    REQUIRE(result.ok());
    const auto& c = *result.config;
    CHECK(c.runtime.flavor == weft::Flavor::current_thread);
    CHECK(c.runtime.worker_threads == 4u);
    CHECK(c.runtime.max_blocking_threads == 64);
    CHECK(c.runtime.thread_keep_alive_ms == 500);
    CHECK(c.runtime.global_queue_interval == 7);
    CHECK(c.runtime.event_interval == 9);
    CHECK(c.runtime.budget == 32);
    CHECK_FALSE(c.runtime.lifo_slot);
    CHECK(c.shutdown.grace_period_ms == 100);
    CHECK(c.shutdown.blocking_timeout_ms == 0);
    CHECK(c.log.level == weft::host::LogLevel::warn);
    CHECK(c.log.format == weft::host::LogFormat::json);
    CHECK(c.log.target == weft::host::LogTarget::journald);
    CHECK(c.admin.socket == "/tmp/weft.sock");
    CHECK(c.admin.tcp->port == 9100);
    CHECK(c.channels.at("events").kind == weft::host::ChannelKind::broadcast);
    CHECK(c.channels.at("events").capacity == 1024u);
    CHECK_FALSE(c.channels.at("state").capacity.has_value());
    CHECK(c.semaphores.at("db") == 8);
    CHECK(c.semaphores.at("none") == 0);
    REQUIRE(c.plugins.size() == 2);
    CHECK(c.plugins[0].name == "producer");
    CHECK(c.plugins[0].config == nlohmann::json{{"rate_hz", 100}});
    CHECK(c.plugins[0].enabled);
    CHECK(c.plugins[1].config == nlohmann::json::object());
    CHECK_FALSE(c.plugins[1].enabled);
    REQUIRE(c.jobs.size() == 3);
    const auto& cron = std::get<weft::host::CronJobSchedule>(c.jobs[0].schedule);
    CHECK(cron.expression == "0 */5 * * * *");
    CHECK(cron.schedule.minutes.count() == 12);
    CHECK(c.jobs[0].priority == 10);
    CHECK(c.jobs[0].overlap == weft::host::Overlap::queue);
    CHECK(std::get<weft::host::IntervalSchedule>(c.jobs[1].schedule).interval_ms == 250);
    CHECK(c.jobs[1].overlap == weft::host::Overlap::skip);
    CHECK(std::get<weft::host::OnceAfterSchedule>(c.jobs[2].schedule).delay_ms == 0);
    CHECK(c.jobs[2].priority == -1000);
}

TEST_CASE("config: the shipped config/weftd.json is valid") {
    const ConfigResult result =
        weft::host::load_config(fs::path(WEFT_SOURCE_DIR) / "config" / "weftd.json", kNoEnv);
    for (const auto& error : result.errors) UNSCOPED_INFO(error);
    REQUIRE(result.ok());
    CHECK(result.config->runtime.flavor == weft::Flavor::multi_thread);
    CHECK_FALSE(result.config->runtime.worker_threads.has_value());
    CHECK(result.config->log.level == weft::host::LogLevel::info);
}
