// Live reload under load: a producer and a consumer at a high rate while reloads reconfigure and
// restart the consumer (nothing lost, in order), then the torture: 200 reloads of valid,
// invalid, half-written and missing files with plugins added and removed at random (no crash, no
// leak beyond a margin, no lost record, the final state that of the final file).
#include <catch2/catch.hpp>

#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "reload_support.hpp"
#include "sanitizers.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;
using weft::test::wait_for_text;
using namespace weft::test::reload;

namespace {

// The records the consumer wrote: true when they are exactly 1..n, in order (n is set).
bool records_in_order(const fs::path& file, std::uint64_t& n, std::string& problem) {
    std::ifstream in(file);
    std::uint64_t expected = 1;
    for (std::string line; std::getline(in, line); ++expected) {
        if (line != "record " + std::to_string(expected)) {
            problem = "line " + std::to_string(expected) + " is \"" + line + "\"";
            n = expected - 1;
            return false;
        }
    }
    n = expected - 1;
    return true;
}

// "producer: stopped; sent N records in total" from the log.
std::uint64_t producer_sent(const std::string& log) {
    const std::string marker = "producer: stopped; sent ";
    const auto at = log.rfind(marker);
    if (at == std::string::npos) return 0;
    return std::stoull(log.substr(at + marker.size()));
}

// What weftd left after SIGTERM: its exit code and log, and the records the consumer wrote.
struct Stopped {
    std::optional<int> code;  // none: it did not exit in time
    std::string log;
    bool in_order = false;
    std::uint64_t records = 0;
    std::string problem;  // the first record out of order
};
Stopped stop(Child& weftd, const fs::path& records) {
    weftd.send(SIGTERM);
    Stopped s;
    s.code = weftd.wait_exit();
    s.log = weftd.err();
    s.in_order = records_in_order(records, s.records, s.problem);
    return s;
}
std::string log_tail(const std::string& log) {
    return log.substr(log.size() > 20000 ? log.size() - 20000 : 0);
}

long rss_kib(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

// A copy of the consumer's library under `dir`, replaced by a fresh copy (a new file renamed
// over it, as a package upgrade does) on each call: weftd sees a changed library.
void install_consumer(const fs::path& dir) {
    const fs::path tmp = dir / "consumer.so.new";
    fs::copy_file(fs::path(kPlugins) / "consumer.so", tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, dir / "consumer.so");
}

std::string admin(const fs::path& socket) {
    return R"("admin": {"socket": ")" + socket.string() + R"("})";
}

std::string records_config(const fs::path& socket, const fs::path& lib, const fs::path& out,
                           int batch, const std::string& extra_plugins = "",
                           const std::string& extra = "") {
    return "{" + admin(socket) + R"(, "shutdown": {"grace_period_ms": 100},
        "channels": {"records": {"kind": "mpsc", "capacity": 64}})" +
           extra + R"(,
        "plugins": [{"name": "producer", "path": "producer.so", "config": {"rate_hz": 5000}},
                    {"name": "consumer", "path": ")" +
           (lib / "consumer.so").string() + R"(",
                     "config": {"path": ")" +
           out.string() + R"(", "batch": )" + std::to_string(batch) + "}}" + extra_plugins + "]}";
}

weft::host::admin::HttpFetch post_reload(const fs::path& socket) {
    return weft::host::admin::http_request_unix(socket, "POST", "/reload",
                                                std::chrono::seconds(120));
}

}  // namespace

TEST_CASE("weftd reload: nothing lost while the consumer is reconfigured and restarted 20 times") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const fs::path out = dir.path() / "records.log";
    install_consumer(dir.path());
    const fs::path config = dir.write("weftd.json", records_config(socket, dir.path(), out, 256));
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                {"WEFT_ADMIN_SOCKET=" + socket.string()});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));
    REQUIRE(wait_for_text(out, "record 1000"));

    int reconfigured = 0;
    int restarted = 0;
    for (int i = 0; i < 20; ++i) {
        if (i % 2 == 0) {
            replace_file(config, records_config(socket, dir.path(), out, 8 + i));
        } else {
            install_consumer(dir.path());
        }
        const auto fetched = post_reload(socket);
        INFO(fetched.error << weftd.err());
        REQUIRE(fetched.reply);
        REQUIRE(fetched.reply->status == 200);
        const std::string body = fetched.reply->body;
        reconfigured += body.find("reconfigured plugin 'consumer'") != std::string::npos;
        restarted += body.find("restarted plugin 'consumer'") != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // records flow meanwhile
    }
    CHECK(reconfigured == 10);
    CHECK(restarted == 10);

    const Stopped end = stop(weftd, out);
    INFO(log_tail(end.log));
    REQUIRE(end.code == 0);
    INFO(end.problem);
    CHECK(end.in_order);
    const std::uint64_t sent = producer_sent(end.log);
    CHECK(sent > 1000);
    CHECK(end.records == sent);
    CHECK_THAT(end.log, Contains("every message accepted by a channel was delivered"));
    CHECK_THAT(end.log, !Contains("gap"));
}

TEST_CASE(
    "weftd reload: torture of 200 reloads of good and bad and half-written and missing files") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const fs::path out = dir.path() / "records.log";
    const fs::path config = dir.path() / "weftd.json";
    install_consumer(dir.path());
    std::mt19937 random(20261206);

    // A valid config: the pipeline, a random set of heartbeats (some with a job), maybe a
    // channel and a semaphore, a random batch for the consumer.
    struct Valid {
        std::string text;
        std::set<std::string> plugins, channels;
    };
    auto valid = [&] {
        Valid v;
        std::string plugins;
        std::string jobs;
        v.plugins = {"producer", "consumer"};
        for (int h = 0; h < 4; ++h) {
            if (random() % 2 == 0) continue;
            const std::string name = "hb" + std::to_string(h);
            v.plugins.insert(name);
            plugins += R"(, {"name": ")" + name +
                       R"(", "path": "heartbeat.so", "config": {"interval_ms": )" +
                       std::to_string(20 + random() % 80) + "}}";
            if (random() % 2 == 0)
                jobs += std::string(jobs.empty() ? "" : ", ") + R"({"name": "job-)" + name +
                        R"(", "plugin": ")" + name + R"(", "task": "report", "interval_ms": )" +
                        std::to_string(20 + random() % 200) + "}";
        }
        v.channels = {"records"};
        std::string extra = R"(, "jobs": [)" + jobs + "]";
        if (random() % 2 == 0) {
            extra += R"(, "semaphores": {"sem": 3})";
        }
        v.text = records_config(socket, dir.path(), out, 1 + static_cast<int>(random() % 300),
                                plugins, extra);
        if (random() % 2 == 0) {
            // Another declared channel, inserted next to "records".
            const std::string records = R"("records": {"kind": "mpsc", "capacity": 64})";
            v.text.replace(v.text.find(records), records.size(),
                           records + R"(, "side": {"kind": "broadcast", "capacity": 16})");
            v.channels.insert("side");
        }
        return v;
    };
    Valid last_valid = valid();
    replace_file(config, last_valid.text);
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                {"WEFT_ADMIN_SOCKET=" + socket.string()});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));
    const long pid = admin_status(socket).at("pid").get<long>();

    const int reloads = 200;
    long rss_before = 0;
    int applied = 0;
    int refused = 0;
    for (int i = 0; i < reloads; ++i) {
        if (i == 40) rss_before = rss_kib(pid);  // after the allocator's pools warmed up
        bool good = false;
        switch (i % 4) {
            case 0:
            case 2:
                last_valid = valid();
                replace_file(config, last_valid.text);
                if (random() % 4 == 0)
                    install_consumer(dir.path());  // a restart, not a reconfigure
                good = true;
                break;
            case 1: {  // invalid: a plugin's validate hook refuses, or the schema does
                std::string text = valid().text;
                if (random() % 2 == 0)
                    text.replace(text.find("\"rate_hz\": 5000"), 15, "\"rate_hz\": -1");
                else
                    text.replace(text.find("\"grace_period_ms\": 100"), 22,
                                 "\"grace_period_ms\": \"x\"");
                replace_file(config, text);
                break;
            }
            case 3:
                if (random() % 2 == 0) {  // half-written, caught mid-write
                    const std::string text = valid().text;
                    std::ofstream(config, std::ios::trunc) << text.substr(0, text.size() / 2);
                } else {
                    fs::remove(config);
                }
                break;
        }
        if (i % 5 == 4) {  // by SIGHUP: wait for its outcome in /status
            weftd.send(SIGHUP);
            REQUIRE(eventually(
                [&] {
                    const json last = admin_status(socket).at("last_reload");
                    return !last.is_null() && last.at("number") == i + 1;
                },
                std::chrono::seconds(60)));
            const bool ok = admin_status(socket).at("last_reload").at("result") == "applied";
            CHECK(ok == good);
            (ok ? applied : refused) += 1;
        } else {
            const auto fetched = post_reload(socket);
            INFO(i << ": " << fetched.error);
            REQUIRE(fetched.reply);
            CHECK(fetched.reply->status == (good ? 200 : 422));
            (fetched.reply->status == 200 ? applied : refused) += 1;
        }
    }
    // The final file is the last valid one: what runs is what it says.
    replace_file(config, last_valid.text);
    const auto final_reload = post_reload(socket);
    REQUIRE(final_reload.reply);
    REQUIRE(final_reload.reply->status == 200);
    const json s = admin_status(socket);
    std::set<std::string> running;
    for (const auto& p : s.at("plugins")) {
        if (p.at("state") == "running") running.insert(p.at("name"));
        CHECK(p.at("state") == "running");
    }
    CHECK(running == last_valid.plugins);
    std::set<std::string> channels;
    for (const auto& c : s.at("channels")) channels.insert(c.at("name"));
    CHECK(channels == last_valid.channels);
    const long rss_after = rss_kib(pid);

    const Stopped end = stop(weftd, out);
    INFO(log_tail(end.log));
    REQUIRE(end.code == 0);
    INFO(end.problem);
    CHECK(end.in_order);
    CHECK(end.records == producer_sent(end.log));
    CHECK(applied == reloads / 2);
    CHECK(refused == reloads / 2);
    // Flat within a margin: 200 reloads load and unload libraries and plugin instances. Not in
    // the sanitizer build: ASan's quarantine holds freed memory back, so RSS grows without a
    // leak there (its LeakSanitizer checks leaks instead, at weftd's exit, required to be 0).
    if (!weft::test::kAddressSanitizer) CHECK(rss_after < rss_before + 16 * 1024);
    std::printf(
        "reload torture: %d reloads (%d applied, %d refused), %llu records in order, RSS %ld KiB "
        "after reload 40, %ld KiB after reload %d\n",
        reloads + 1, applied + 1, refused, static_cast<unsigned long long>(end.records), rss_before,
        rss_after, reloads + 1);
}
