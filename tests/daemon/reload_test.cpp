// Live reload end to end (cli/config_reload.hpp, host/daemon/coordinator.hpp steps R1-R9): the
// real weftd with the example plugins and tests/plugins/bad/misbehaving, its config file
// rewritten and reloaded by SIGHUP and by `weftd reload`, observed through its log and /status.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "reload_support.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;
using weft::test::wait_for_text;
using namespace weft::test::reload;

namespace {

// A config: the admin socket, then `rest` (JSON members, without braces).
std::string config_text(const fs::path& socket, const std::string& rest) {
    return R"({"admin": {"socket": ")" + socket.string() + R"("}, )" + rest + "}";
}

std::string heartbeat(const std::string& name, int interval_ms) {
    return R"({"name": ")" + name + R"(", "path": "heartbeat.so", "config": {"interval_ms": )" +
           std::to_string(interval_ms) + "}}";
}

// weftd on `config`, its admin socket `socket` (the environment agrees with the file).
std::unique_ptr<Child> start_weftd(const fs::path& config, const fs::path& socket,
                                   std::vector<std::string> env = {}) {
    env.push_back("WEFT_ADMIN_SOCKET=" + socket.string());
    auto weftd = std::make_unique<Child>(
        std::vector<std::string>{kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
        env);
    REQUIRE(wait_for_text(weftd->stderr_file(), "weftd started"));
    return weftd;
}

void stop(Child& weftd) {
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

}  // namespace

TEST_CASE(
    "weftd reload: an invalid file changes nothing and its errors are logged and answered and "
    "shown") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const auto config = dir.write(
        "weftd.json", config_text(socket, R"("plugins": [)" + heartbeat("hb", 5000) + "]"));
    auto weftd = start_weftd(config, socket);
    CHECK(admin_status(socket).at("last_reload").is_null());

    // A schema error and a plugin's validate hook rejecting its config: both reported.
    replace_file(config,
                 config_text(socket, R"("runtime": {"budget": 0}, "plugins": [)" +
                                         heartbeat("hb", 0) + "," + heartbeat("other", 100) + "]"));
    auto run = weftd_reload(socket);
    INFO(run.out << run.err);
    CHECK(run.code == 3);
    CHECK_THAT(run.err, Contains("/runtime/budget: must be between 1 and"));
    CHECK_THAT(run.err, Contains("nothing changed"));

    // Only the schema error fixed: the plugin's validate hook still refuses, as check-config does.
    replace_file(config, config_text(socket, R"("plugins": [)" + heartbeat("hb", 0) + "," +
                                                 heartbeat("other", 100) + "]"));
    run = weftd_reload(socket);
    CHECK(run.code == 3);
    CHECK_THAT(run.err, Contains("/plugins/0/config: rejected by plugin 'hb'"));
    CHECK_THAT(run.err, Contains("\"interval_ms\" must be between 1 and 86400000, got 0"));
    Child check({kWeftd, "check-config", "-c", config.string(), "--plugin-dir", kPlugins});
    REQUIRE(check.wait_exit() == 3);
    CHECK_THAT(check.err(), Contains("/plugins/0/config: rejected by plugin 'hb'"));

    const json s = admin_status(socket);
    const json& last = s.at("last_reload");
    CHECK(last.at("number") == 2);
    CHECK(last.at("result") == "invalid");
    CHECK(last.at("trigger") == "admin endpoint");
    CHECK_FALSE(last.at("errors").empty());
    CHECK(last.at("unix_time").get<long>() > 0);
    CHECK_FALSE(last.at("time").get<std::string>().empty());
    // Nothing changed: the one plugin still runs, the other was never added.
    CHECK(plugin_in(s, "hb").at("state") == "running");
    CHECK(plugin_in(s, "other").is_null());
    CHECK_THAT(weftd->err(), Contains("reload #2 (admin endpoint): invalid: 1 error in"));

    // A missing file is an error too, and changes nothing.
    fs::remove(config);
    run = weftd_reload(socket);
    CHECK(run.code == 3);
    CHECK_THAT(run.err, Contains("cannot open config file"));
    CHECK(plugin_in(admin_status(socket), "hb").at("state") == "running");
    stop(*weftd);
}

TEST_CASE("weftd reload: SIGHUP applies a valid file and systemd hears RELOADING=1 then READY=1") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    NotifySocket notify(dir.path() / "notify.sock");
    const auto config = dir.write(
        "weftd.json", config_text(socket, R"("plugins": [)" + heartbeat("hb", 5000) + "]"));
    auto weftd = start_weftd(config, socket, {notify.env()});
    replace_file(config, config_text(socket, R"("plugins": [)" + heartbeat("hb", 5000) + "," +
                                                 heartbeat("added", 5000) + "]"));
    weftd->send(SIGHUP);
    REQUIRE(
        wait_for_text(weftd->stderr_file(), "reload #1 (SIGHUP): applied: added plugin 'added'"));
    CHECK(plugin_in(admin_status(socket), "added").at("state") == "running");
    CHECK(admin_status(socket).at("last_reload").at("result") == "applied");

    // RELOADING=1, then READY=1, after the READY=1 of the start.
    notify.drain();
    std::vector<std::string> seen;
    for (const auto& m : notify.messages) {
        if (m.find("RELOADING=1") != std::string::npos) seen.push_back("RELOADING");
        if (m.find("READY=1") != std::string::npos) seen.push_back("READY");
    }
    CHECK(seen == std::vector<std::string>{"READY", "RELOADING", "READY"});
    stop(*weftd);
}

namespace {

std::string producer_consumer(const fs::path& out, int batch, double rate_hz = 200) {
    return R"({"name": "producer", "path": "producer.so", "config": {"rate_hz": )" +
           std::to_string(rate_hz) + R"(}},
              {"name": "consumer", "path": "consumer.so",
               "config": {"path": ")" +
           out.string() + R"(", "batch": )" + std::to_string(batch) + "}}";
}

const std::string kRecords = R"("channels": {"records": {"kind": "mpsc", "capacity": 64}})";

}  // namespace

TEST_CASE(
    "weftd reload: plugins added are started and removed ones drained while the others run "
    "undisturbed") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const fs::path out = dir.path() / "records.log";
    const auto config =
        dir.write("weftd.json",
                  config_text(socket, kRecords + R"(, "plugins": [)" + producer_consumer(out, 64) +
                                          "," + heartbeat("hb", 50) + "]"));
    auto weftd = start_weftd(config, socket);
    REQUIRE(wait_for_text(weftd->stderr_file(), "[hb] alive #2"));

    // One more plugin that cannot start (its file's directory does not exist): the rest applies.
    const std::string broken = R"({"name": "broken", "path": "consumer.so", "config": {"path": ")" +
                               (dir.path() / "missing" / "x.log").string() +
                               R"(", "channel": "other"}})";
    replace_file(config,
                 config_text(socket, kRecords + R"(, "plugins": [)" + producer_consumer(out, 64) +
                                         "," + heartbeat("hb2", 50) + "," + broken + "]"));
    const auto run = weftd_reload(socket);
    INFO(run.out << run.err << weftd->err());
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("removed plugin 'hb'"));
    CHECK_THAT(run.out, Contains("added plugin 'hb2'"));
    CHECK_THAT(run.out, Contains("failed: plugin 'broken' failed to start: start failed: cannot "
                                 "open"));
    CHECK(plugin_in(admin_status(socket), "broken").at("state") == "failed");
    REQUIRE(wait_for_text(weftd->stderr_file(), "[hb2] alive #2"));
    // The removed plugin went through its shutdown: token (its task ends), destroy and unload.
    CHECK_THAT(weftd->err(), Contains("[hb] stopping after"));
    const json s = admin_status(socket);
    CHECK(plugin_in(s, "hb").is_null());
    CHECK(plugin_in(s, "hb2").at("state") == "running");
    // The others were neither stopped nor started again.
    for (const char* name : {"producer", "consumer"}) {
        CHECK(plugin_in(s, name).at("state") == "running");
        CHECK(weft::test::count_of(weftd->err(), std::string("[") + name + "] started") == 1);
    }
    stop(*weftd);
}

TEST_CASE("weftd reload: a changed plugin is reconfigured through its hook or else restarted") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const fs::path out = dir.path() / "records.log";
    const fs::path out2 = dir.path() / "records2.log";
    auto write = [&](const fs::path& file, int batch, int interval) {
        replace_file(
            dir.path() / "weftd.json",
            config_text(socket, kRecords + R"(, "plugins": [)" + producer_consumer(file, batch) +
                                    "," + heartbeat("hb", interval) + "]"));
    };
    write(out, 256, 5000);
    auto weftd = start_weftd(dir.path() / "weftd.json", socket);

    // Only the consumer's batch: its reconfigure hook takes it, live.
    write(out, 16, 5000);
    auto run = weftd_reload(socket);
    INFO(run.out << run.err << weftd->err());
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("reconfigured plugin 'consumer'"));
    CHECK_THAT(weftd->err(), Contains("[consumer] consumer: batches of up to 16 records"));
    CHECK(weft::test::count_of(weftd->err(), "[consumer] started") == 1);

    // The heartbeat has no reconfigure hook: restarted with its new config.
    write(out, 16, 4000);
    run = weftd_reload(socket);
    CHECK_THAT(run.out, Contains("restarted plugin 'hb'"));
    CHECK(weft::test::count_of(weftd->err(), "[hb] started") == 2);

    // A new file for the consumer is more than its hook takes: restarted, the channel kept.
    write(out2, 16, 4000);
    run = weftd_reload(socket);
    CHECK_THAT(run.out, Contains("restarted plugin 'consumer'"));
    CHECK_THAT(weftd->err(), Contains("reconfigure refused"));
    CHECK(weft::test::count_of(weftd->err(), "[consumer] started") == 2);
    REQUIRE(wait_for_text(out2, "record "));
    CHECK(plugin_in(admin_status(socket), "consumer").at("state") == "running");
    stop(*weftd);
}

TEST_CASE("weftd reload: jobs are added and removed and rescheduled") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    auto job = [](const std::string& name, int interval) {
        return R"({"name": ")" + name + R"(", "plugin": "hb", "task": "report", "interval_ms": )" +
               std::to_string(interval) + "}";
    };
    const auto config =
        dir.write("weftd.json", config_text(socket, R"("plugins": [)" + heartbeat("hb", 5000) +
                                                        R"(], "jobs": [)" + job("r1", 100) + "," +
                                                        job("r2", 100) + "]"));
    auto weftd = start_weftd(config, socket);
    auto started = [&](const json& s, const std::string& name) -> std::int64_t {
        for (const auto& j : s.at("jobs"))
            if (j.at("name") == name) return j.at("runs").at("started").get<std::int64_t>();
        return -1;
    };
    REQUIRE(eventually([&] { return started(admin_status(socket), "r1") >= 2; }));

    replace_file(config,
                 config_text(socket, R"("plugins": [)" + heartbeat("hb", 5000) + R"(], "jobs": [)" +
                                         job("r1", 3'600'000) + "," + job("r3", 100) + "]"));
    const auto run = weftd_reload(socket);
    INFO(run.out << run.err << weftd->err());
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("added job 'r3'"));
    CHECK_THAT(run.out, Contains("removed job 'r2'"));
    CHECK_THAT(run.out, Contains("rescheduled job 'r1'"));
    const auto r1_after = started(admin_status(socket), "r1");
    REQUIRE(eventually([&] { return started(admin_status(socket), "r3") >= 3; }));
    const json s = admin_status(socket);
    // r1's next occurrence follows its new schedule (an hour away): no run started since; its
    // counts were kept.
    CHECK(started(s, "r1") == r1_after);
    CHECK(r1_after >= 2);
    CHECK(started(s, "r2") == -1);
    for (const auto& j : s.at("jobs")) {
        if (j.at("name") == "r1") CHECK(j.at("schedule") == "every 3600000 ms");
        CHECK(j.at("scheduled") == true);
    }
    stop(*weftd);
}

TEST_CASE(
    "weftd reload: named objects are added and removed but a live channel's capacity change is "
    "refused") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const std::string a = R"("a": {"kind": "mpsc", "capacity": 8})";
    const auto config = dir.write("weftd.json", config_text(socket, R"("channels": {)" + a + "}"));
    auto weftd = start_weftd(config, socket);
    auto names = [&](const char* section) {
        std::vector<std::string> out;
        const json s = admin_status(socket);
        for (const auto& c : s.at(section)) out.push_back(c.at("name"));
        return out;
    };

    replace_file(config, config_text(socket, R"("channels": {)" + a +
                                                 R"(, "b": {"kind": "broadcast", "capacity": 4}},
                    "semaphores": {"s": 2},
                    "pools": {"p": {"kind": "resource", "max_size": 2}})"));
    auto run = weftd_reload(socket);
    INFO(run.out << run.err << weftd->err());
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("added channel 'b'"));
    CHECK_THAT(run.out, Contains("added semaphore 's'"));
    CHECK_THAT(run.out, Contains("added pool 'p'"));
    CHECK(names("channels") == std::vector<std::string>{"a", "b"});
    CHECK(names("pools") == std::vector<std::string>{"p"});

    // A live channel's capacity cannot change: refused, naming it, and nothing changes.
    replace_file(config, config_text(socket, R"("channels": {"a": {"kind": "mpsc", "capacity": 16}},
                                                 "runtime": {"budget": 64})"));
    run = weftd_reload(socket);
    CHECK(run.code == 3);
    CHECK_THAT(run.err, Contains("/channels/a: channel 'a' is mpsc with capacity 8; changing it "
                                 "to mpsc with capacity 16 needs a restart"));
    CHECK(names("channels") == std::vector<std::string>{"a", "b"});

    // Removed ones go (nothing holds them); the runtime section is named as needing a restart.
    replace_file(config, config_text(socket, R"("channels": {)" + a + R"(},
                                                 "runtime": {"budget": 64})"));
    run = weftd_reload(socket);
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("removed channel 'b'"));
    CHECK_THAT(run.out, Contains("removed pool 'p'"));
    CHECK_THAT(run.out, Contains("needs a restart: runtime"));
    CHECK(names("channels") == std::vector<std::string>{"a"});
    CHECK(names("pools").empty());
    CHECK(admin_status(socket).at("last_reload").at("needs_restart") == json::array({"runtime"}));
    CHECK_THAT(weftd->err(), Contains("runtime changed but take effect at the next restart"));
    stop(*weftd);
}

TEST_CASE(
    "weftd reload: a reload during a reload waits for it, the endpoint answers meanwhile, and one "
    "during the shutdown is ignored") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const std::string stuck = R"({"name": "stuck", "path": ")" + kBadPlugins +
                              R"(/bad_misbehaving.so", "config": {"stubborn": true}})";
    const std::string grace = R"("shutdown": {"grace_period_ms": 1500}, )";
    const auto config = dir.write(
        "weftd.json",
        config_text(socket, grace + R"("plugins": [)" + stuck + "," + heartbeat("hb", 5000) + "]"));
    auto weftd = start_weftd(config, socket);

    // Removing the stubborn plugin takes its grace period; a SIGHUP meanwhile waits its turn.
    replace_file(config,
                 config_text(socket, grace + R"("plugins": [)" + heartbeat("hb", 5000) + "]"));
    ReloadRun first;
    std::thread asker([&] { first = weftd_reload(socket); });
    REQUIRE(wait_for_text(weftd->stderr_file(), "reload: stopping 'stuck'"));
    // The endpoint answers meanwhile (the reload is a slow answer, run beside its thread): the
    // status it gives has no reload over yet. Before, it answered once the reload was.
    CHECK(admin_status(socket).at("last_reload").is_null());
    weftd->send(SIGHUP);
    asker.join();
    CHECK(first.code == 0);
    CHECK_THAT(first.out, Contains("removed plugin 'stuck'"));
    REQUIRE(wait_for_text(weftd->stderr_file(), "reload #2 (SIGHUP): applied: nothing changed"));
    const std::string log = weftd->err();
    CHECK(log.find("reload #1 (admin endpoint): applied") <
          log.find("reload #2 (SIGHUP): reading"));

    // Back in, then a shutdown it keeps busy for its grace period: a SIGHUP then is ignored.
    replace_file(config, config_text(socket, grace + R"("plugins": [)" + stuck + "," +
                                                 heartbeat("hb", 5000) + "]"));
    REQUIRE(weftd_reload(socket).code == 0);
    weftd->send(SIGTERM);
    REQUIRE(wait_for_text(weftd->stderr_file(), "shutdown requested of"));
    weftd->send(SIGHUP);
    REQUIRE(wait_for_text(weftd->stderr_file(),
                          "reload asked for by SIGHUP ignored: weftd is shutting down"));
    const auto code = weftd->wait_exit();
    INFO(weftd->err());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK_THAT(weftd->err(), !Contains("reload #4"));
}

TEST_CASE("weftd reload: the log and admin sections apply live") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const fs::path socket2 = dir.path() / "admin2.sock";
    const auto config = dir.write(
        "weftd.json", config_text(socket, R"("plugins": [)" + heartbeat("hb", 100) + "]"));
    // An empty WEFT_ADMIN_SOCKET counts as unset: the file's admin.socket applies.
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                {"WEFT_ADMIN_SOCKET="});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));

    replace_file(config, config_text(socket2, R"("log": {"format": "json", "level": "debug"},
                                                  "plugins": [)" +
                                                  heartbeat("hb", 100) + "]"));
    weftd.send(SIGHUP);
    REQUIRE(wait_for_text(weftd.stderr_file(), "admin endpoint reopened"));
    REQUIRE(eventually([&] { return fs::exists(socket2); }));
    CHECK(admin_status(socket2).at("last_reload").at("result") == "applied");
    CHECK_FALSE(fs::exists(socket));
    // From the reload on, every line is a JSON object, the plugin's included.
    REQUIRE(wait_for_text(weftd.stderr_file(), R"("logger":"hb")"));
    weftd.send(SIGTERM);
    REQUIRE(weftd.wait_exit() == 0);
    const std::string log = weftd.err();
    std::istringstream lines(log.substr(log.find("\n{") + 1));
    int objects = 0;
    for (std::string line; std::getline(lines, line); ++objects) {
        INFO(line);
        CHECK(json::parse(line).contains("message"));
    }
    CHECK(objects >= 3);
}
