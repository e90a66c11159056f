// The task view end to end (GET /tasks, `weftd status --tasks`): the real weftd with the
// stall_probe test plugin's ticker, self-waking spinner and lost-waker tasks.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "host/admin/unix_http_client.hpp"

using Catch::Matchers::Contains;
using weft::host::admin::http_request_unix;
using weft::test::Child;
using weft::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kWeftd = WEFTD_PATH;
const std::string kProbe = WEFT_TEST_DAEMON_PLUGIN_DIR "/stall_probe.so";

std::string probe(const std::string& name, const std::string& config) {
    return R"({"name": ")" + name + R"(", "path": ")" + kProbe + R"(", "config": )" + config + "}";
}

nlohmann::json tasks_of(const fs::path& socket) {
    const auto fetched = http_request_unix(socket, "GET", "/tasks");
    INFO(fetched.error);
    REQUIRE(fetched.reply);
    REQUIRE(fetched.reply->status == 200);
    return nlohmann::json::parse(fetched.reply->body);
}

// The task of plugin `plugin` named `name` ("" for the first unnamed one), or null.
nlohmann::json find_task(const nlohmann::json& view, const std::string& plugin,
                         const std::string& name) {
    for (const auto& t : view.at("tasks"))
        if (t.at("plugin") == plugin && t.at("name") == name) return t;
    return nullptr;
}

bool has_warning(const nlohmann::json& task, const std::string& start) {
    for (const auto& w : task.at("warnings"))
        if (w.get<std::string>().rfind(start, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE(
    "weftd's task view lists every live plugin task and warns of self-wakes and a lost "
    "waker") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const auto config =
        dir.write("weftd.json", R"({"admin": {"socket": ")" + socket.string() + R"("},
        "shutdown": {"grace_period_ms": 300},
        "runtime": {"worker_threads": 2},
        "plugins": [)" + probe("ticking", R"({"tick_ms": 10})") +
                                    "," + probe("spinning", R"({"spin": 1})") + "," +
                                    probe("losing", R"({"lost": 1})") + "]}");
    Child weftd({kWeftd, "run", "-c", config.string()}, {"WEFT_ADMIN_SOCKET=" + socket.string()});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));

    // The spinner needs 100 wakes before its share counts: wait for its warning (bounded).
    nlohmann::json view;
    for (int i = 0; i < 100; ++i) {
        view = tasks_of(socket);
        const auto spinner = find_task(view, "spinning", "spinner");
        if (!spinner.is_null() && has_warning(spinner, "self-wakes")) break;
        std::this_thread::sleep_for(50ms);
    }
    INFO(view.dump(2));
    const auto ticker = find_task(view, "ticking", "");
    REQUIRE_FALSE(ticker.is_null());
    CHECK(ticker.at("polls").get<long>() > 1);
    CHECK(ticker.at("wakes").get<long>() >= 1);
    CHECK(ticker.at("wakers").get<long>() >= 1);  // its timer and its shutdown wait hold one
    CHECK(ticker.at("age_seconds").get<double>() > 0);
    CHECK(ticker.at("warnings").empty());
    const std::string state = ticker.at("state");
    CHECK((state == "idle" || state == "scheduled" || state == "running"));

    const auto spinner = find_task(view, "spinning", "spinner");
    REQUIRE_FALSE(spinner.is_null());
    CHECK(has_warning(spinner, "self-wakes"));
    CHECK(spinner.at("self_wakes").get<long>() * 2 > spinner.at("wakes").get<long>());

    const auto lost = find_task(view, "losing", "lost");
    REQUIRE_FALSE(lost.is_null());
    CHECK(lost.at("state") == "idle");
    CHECK(lost.at("wakers") == 0);
    CHECK(has_warning(lost, "lost waker"));
    bool listed = false;
    for (const auto& w : view.at("warnings"))
        if (w.get<std::string>().find("plugin 'losing' task #") == 0 &&
            w.get<std::string>().find("'lost': lost waker") != std::string::npos)
            listed = true;
    CHECK(listed);

    // The same through the command line.
    Child status({kWeftd, "status", "--tasks", "--socket", socket.string()});
    REQUIRE(status.wait_exit() == 0);
    const auto from_cli = nlohmann::json::parse(status.out());
    CHECK_FALSE(find_task(from_cli, "losing", "lost").is_null());

    weftd.send(SIGTERM);
    CHECK(weftd.wait_exit() == 0);
}
