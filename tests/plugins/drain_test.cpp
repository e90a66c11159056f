// The producer/consumer drain test on the real weftd binary: the producer sends numbered records
// into a bounded mpsc channel as fast as the consumer takes them, the consumer appends them to a
// file through spawn_blocking; after SIGTERM the file must hold every record the producer sent,
// in order, with no gap, and weftd must exit 0. Plus the CLI's plugin commands on real files.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "../daemon/child_process.hpp"
#include "weft/plugin.h"

namespace {

using namespace weft::test;

const std::string kWeftd = WEFTD_PATH;
const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;

std::vector<std::uint64_t> read_records(const fs::path& file) {
    std::vector<std::uint64_t> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        unsigned long long seq = 0;
        if (std::sscanf(line.c_str(), "record %llu", &seq) != 1)
            FAIL("malformed line in " << file << ": " << line);
        out.push_back(seq);
    }
    return out;
}

// The number in "producer: stopped; sent N records in total".
std::optional<std::uint64_t> producer_total(const std::string& log) {
    static const std::string kBefore = "producer: stopped; sent ";
    const auto at = log.find(kBefore);
    if (at == std::string::npos) return std::nullopt;
    unsigned long long n = 0;
    if (std::sscanf(log.c_str() + at + kBefore.size(), "%llu records in total", &n) != 1)
        return std::nullopt;
    return n;
}

std::string drain_config(const fs::path& records, double rate_hz, std::uint32_t capacity) {
    std::ostringstream c;
    c << R"({"shutdown": {"grace_period_ms": 10000},
             "channels": {"records": {"kind": "mpsc", "capacity": )"
      << capacity << R"(}},
             "plugins": [
               {"name": "producer", "path": "producer.so",
                "config": {"channel": "records", "capacity": )"
      << capacity << R"(, "rate_hz": )" << rate_hz << R"(}},
               {"name": "consumer", "path": "consumer.so",
                "config": {"channel": "records", "path": ")"
      << records.string() << R"(", "batch": 64}}]})";
    return c.str();
}

void drain_once(double rate_hz, std::uint32_t capacity, std::size_t wait_for_records) {
    TempDir dir;
    const fs::path records = dir.path() / "records.log";
    const fs::path config = dir.write("weftd.json", drain_config(records, rate_hz, capacity));
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins});
    REQUIRE(wait_for_text(weftd.stderr_file(), "consumer: appending"));
    // Let records flow until the file has some, then stop the daemon mid-stream.
    const auto until = std::chrono::steady_clock::now() + kStartDeadline;
    while (read_records(records).size() < wait_for_records &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(kPollInterval);
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    const std::string log = weftd.err();
    INFO(log);
    REQUIRE(code);
    CHECK(*code == 0);

    const auto total = producer_total(log);
    REQUIRE(total);
    REQUIRE(*total >= wait_for_records);
    const auto seqs = read_records(records);
    REQUIRE(seqs.size() == *total);  // every record the producer sent ...
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        if (seqs[i] != i + 1) FAIL("record " << i + 1 << " is #" << seqs[i]);  // ... in order
    }
    CHECK(log.find("consumer: gap") == std::string::npos);
    CHECK(log.find("every message accepted by a channel was delivered") != std::string::npos);
    CHECK(log.find("weftd stopped") != std::string::npos);
}

}  // namespace

TEST_CASE("plugin drain: after SIGTERM the consumer's file holds every record, in order") {
    SECTION("as fast as backpressure allows, small channel") { drain_once(0, 8, 2000); }
    SECTION("paced, larger channel") { drain_once(2000, 256, 200); }
}

TEST_CASE("plugin cli: weftd plugin inspect prints the descriptor or the loading error") {
    {
        Child inspect({kWeftd, "plugin", "inspect", kPlugins + "/notify-c.so"});
        REQUIRE(inspect.wait_exit() == 0);
        CHECK_THAT(inspect.out(), Catch::Contains("name:    notify-c"));
        CHECK_THAT(inspect.out(),
                   Catch::Contains("ABI:     " + std::to_string(WEFT_PLUGIN_ABI_MAJOR) + "." +
                                   std::to_string(WEFT_PLUGIN_ABI_MINOR)));
        CHECK_THAT(inspect.out(), Catch::Contains("tasks:    none"));
    }
    {
        Child inspect({kWeftd, "plugin", "inspect",
                       std::string(WEFT_TEST_BAD_PLUGIN_DIR) + "/bad_wrong_major.so"});
        const auto code = inspect.wait_exit();
        REQUIRE(code);
        CHECK(*code != 0);
        CHECK_THAT(inspect.err(), Catch::Contains("built for plugin ABI 2.0"));
    }
}

TEST_CASE("plugin cli: check-config loads each plugin and runs its validate") {
    TempDir dir;
    const fs::path config = dir.write("weftd.json", R"({"plugins": [
        {"name": "hb", "path": "heartbeat.so", "config": {"interval_ms": 0}},
        {"name": "c", "path": "notify-c.so", "config": {}},
        {"name": "gone", "path": "missing.so"}]})");
    Child check({kWeftd, "check-config", "-c", config.string(), "--plugin-dir", kPlugins});
    const auto code = check.wait_exit();
    REQUIRE(code);
    CHECK(*code == 3);
    const std::string err = check.err();
    INFO(err);
    CHECK_THAT(err, Catch::Contains("\"interval_ms\" must be between 1 and 86400000"));
    CHECK_THAT(err, Catch::Contains("\"notify\" must name the Notify to wait on"));
    CHECK_THAT(err, Catch::Contains("missing.so: no such file"));
}

TEST_CASE("plugin cli: the default config runs every example plugin") {
    TempDir dir;
    Child weftd({kWeftd, "run", "-c", std::string(WEFT_SOURCE_DIR) + "/config/weftd.json",
                 "--plugin-dir", kPlugins});
    for (const char* line : {"[heartbeat] started", "[producer] started", "[consumer] started",
                             "[notify-c] started", "notify-c: woken by 'tick'",
                             "job 'heartbeat-report' scheduled: plugin 'heartbeat', task 'report'"})
        CHECK(wait_for_text(weftd.stderr_file(), line));
    weftd.send(SIGTERM);
    CHECK(weftd.wait_exit() == 0);
    INFO(weftd.err());
    CHECK_THAT(weftd.err(), Catch::Contains("producer: stopped; sent"));
    CHECK_THAT(weftd.err(), Catch::Contains("weftd stopped"));
}

TEST_CASE("plugin cli: a second signal during the shutdown forces an exit naming what runs") {
    TempDir dir;
    const fs::path config = dir.write("weftd.json", R"({"shutdown": {"grace_period_ms": 60000},
        "plugins": [{"name": "stuck", "path": "bad_lifecycle.so", "config": {"stubborn": true}}]})");
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", WEFT_TEST_BAD_PLUGIN_DIR});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));
    weftd.send(SIGTERM);
    // The plugin is stopping (its token fired) once the host says so; not before.
    REQUIRE(wait_for_text(weftd.stderr_file(), "shutdown requested of 1 plugins"));
    weftd.send(SIGINT);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK_THAT(weftd.err(), Catch::Contains("received SIGINT during the shutdown: exiting now"));
    CHECK_THAT(weftd.err(), Catch::Contains("still running: plugin 'stuck' (stopping): 1 tasks"));
}
