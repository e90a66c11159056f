// weftd's admin endpoint end to end: the real daemon with example plugins and its admin socket in
// a temporary directory, queried with the Unix-socket client and with `weftd status`/`metrics`.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "host/admin/unix_http_client.hpp"

using Catch::Matchers::Contains;
using weft::host::admin::http_request_unix;
using weft::test::Child;
using weft::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kWeftd = WEFTD_PATH;
const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;

std::string config_with_socket(const fs::path& socket) {
    return R"({"admin": {"socket": ")" + socket.string() + R"("},
              "channels": {"records": {"kind": "mpsc", "capacity": 8}},
              "plugins": [{"name": "heartbeat", "path": "heartbeat.so",
                           "config": {"interval_ms": 200, "message": "alive"}}],
              "jobs": [{"name": "report", "plugin": "heartbeat", "task": "report",
                        "interval_ms": 100}]})";
}

int exit_code(Child& child) {
    const auto code = child.wait_exit();
    REQUIRE(code.has_value());
    return *code;
}

// Test children get a private admin socket unless told which (child_process.hpp): these tests
// use the one their config names.
std::vector<std::string> socket_env(const fs::path& socket) {
    return {"WEFT_ADMIN_SOCKET=" + socket.string()};
}

// The body of a 200 answer to GET `target`.
std::string get(const fs::path& socket, const std::string& target) {
    const auto fetched = http_request_unix(socket, "GET", target);
    INFO(fetched.error);
    REQUIRE(fetched.reply);
    REQUIRE(fetched.reply->status == 200);
    return fetched.reply->body;
}

}  // namespace

TEST_CASE("weftd admin: /health, /metrics and /status on the Unix socket, removed at exit") {
    const TempDir dir;
    const fs::path socket = dir.path() / "run" / "admin.sock";  // run/ does not exist yet
    const auto config = dir.write("weftd.json", config_with_socket(socket));
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                socket_env(socket));
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    INFO(weftd.err());
    CHECK_THAT(weftd.err(), Contains("admin endpoint listening on unix:" + socket.string()));

    struct stat st {};
    REQUIRE(::lstat(socket.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);

    CHECK(get(socket, "/health") == "ok\n");

    const std::string metrics = get(socket, "/metrics");
    CHECK_THAT(metrics, Contains("# TYPE weft_runtime_spawned_tasks_total counter"));
    CHECK_THAT(metrics, Contains("weft_runtime_workers "));
    CHECK_THAT(metrics, Contains("weft_runtime_worker_polls_total{worker=\"0\"} "));
    CHECK_THAT(metrics, Contains("weft_plugin_state{plugin=\"heartbeat\",state=\"running\"} 1"));
    CHECK_THAT(metrics, Contains("weft_plugin_live_tasks{plugin=\"heartbeat\"} "));
    CHECK_THAT(metrics, Contains("weft_channel_capacity{channel=\"records\",kind=\"mpsc\"} 8"));

    // The endpoint is up before the job scheduler starts: wait for the job to be listed.
    nlohmann::json status;
    const auto until = std::chrono::steady_clock::now() + weft::test::kStartDeadline;
    do {
        status = nlohmann::json::parse(get(socket, "/status"));
        if (!status.at("jobs").empty()) break;
        std::this_thread::sleep_for(weft::test::kPollInterval);
    } while (std::chrono::steady_clock::now() < until);
    REQUIRE(status.at("plugins").size() == 1);
    CHECK(status.at("plugins")[0].at("name") == "heartbeat");
    CHECK(status.at("plugins")[0].at("state") == "running");
    CHECK(status.at("runtime").at("worker_threads").get<int>() >= 1);
    CHECK(status.at("runtime").at("spawned_tasks").get<int>() >= 1);
    REQUIRE(status.at("jobs").size() == 1);
    CHECK(status.at("jobs")[0].at("name") == "report");
    CHECK(status.at("channels")[0].at("name") == "records");
    CHECK(status.at("shutting_down") == false);
    CHECK_THAT(get(socket, "/metrics"),
               Contains("weft_job_runs_started_total{job=\"report\",plugin=\"heartbeat\"}"));

    const auto missing = http_request_unix(socket, "GET", "/nope");
    REQUIRE(missing.reply);
    CHECK(missing.reply->status == 404);
    const auto post = http_request_unix(socket, "POST", "/metrics");
    REQUIRE(post.reply);
    CHECK(post.reply->status == 405);

    // The CLI's commands, as an operator runs them.
    Child cli_status({kWeftd, "status", "--socket", socket.string()});
    CHECK(exit_code(cli_status) == 0);
    const auto printed = nlohmann::json::parse(cli_status.out());
    CHECK(printed.at("plugins")[0].at("name") == "heartbeat");
    Child cli_metrics({kWeftd, "metrics", "-c", config.string()}, socket_env(socket));
    CHECK(exit_code(cli_metrics) == 0);
    CHECK_THAT(cli_metrics.out(), Contains("weft_runtime_alive_tasks "));

    weftd.send(SIGTERM);
    CHECK(exit_code(weftd) == 0);
    CHECK(!fs::exists(fs::symlink_status(socket)));
}

TEST_CASE("weftd admin: weftd status without a daemon exits 1 naming the socket") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    Child cli({kWeftd, "status", "--socket", socket.string()});
    CHECK(exit_code(cli) == 1);
    CHECK_THAT(cli.err(), Contains(socket.string()));
    CHECK_THAT(cli.err(), Contains("No such file or directory"));
    Child both({kWeftd, "metrics", "--socket", socket.string(), "-c", "x.json"});
    CHECK(exit_code(both) == 2);  // -c and --socket exclude each other
}

TEST_CASE("weftd admin: an unusable socket path is logged and the daemon runs without it") {
    const TempDir dir;
    const auto file = dir.write("file", "not a directory");
    const fs::path socket = file / "sub" / "admin.sock";
    const auto config = dir.write("weftd.json", config_with_socket(socket));
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                socket_env(socket));
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    const std::string log = weftd.err();
    INFO(log);
    CHECK_THAT(log, Contains("admin socket " + socket.string()));
    CHECK_THAT(log, Contains("Not a directory"));
    CHECK_THAT(log, Contains("weftd runs without this admin endpoint"));
    weftd.send(SIGTERM);
    CHECK(exit_code(weftd) == 0);
    CHECK_THAT(weftd.err(), Contains("weftd stopped"));
}

TEST_CASE("weftd admin: /health answers 503 while the shutdown sequence runs") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const auto config = dir.write("weftd.json", config_with_socket(socket));
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins},
                socket_env(socket));
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    CHECK(get(socket, "/health") == "ok\n");
    weftd.send(SIGTERM);
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "received SIGTERM"));
    // Either the endpoint still answers (503: shutting down) or the daemon has already finished
    // and removed it; it never answers "ok" again.
    const auto during = http_request_unix(socket, "GET", "/health");
    if (during.reply) {
        CHECK(during.reply->status == 503);
        CHECK(during.reply->body == "shutting down\n");
    }
    CHECK(exit_code(weftd) == 0);
}
