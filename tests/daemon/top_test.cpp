// `weftd top` in a real terminal: tmux runs it in a detached 80x24 (and a larger) window, the
// test sends keys and reads the screen back (capture-pane), against the real daemon.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "child_process.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kWeftd = WEFTD_PATH;
const std::string kProbe = WEFT_TEST_DAEMON_PLUGIN_DIR "/stall_probe.so";
const std::string kHeartbeat = WEFT_TEST_PLUGIN_DIR "/heartbeat.so";

// Output of a shell command.
std::string run(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

// A private tmux server with one window running `command`, killed at the end.
class Tmux {
   public:
    Tmux(const std::string& command, int width, int height)
        : server_("weft-top-test-" + std::to_string(::getpid())) {
        run(tmux() + " new-session -d -s top -x " + std::to_string(width) + " -y " +
            std::to_string(height) + " '" + command + "; sleep 30'");
    }
    ~Tmux() { run(tmux() + " kill-server 2>/dev/null"); }
    [[nodiscard]] std::string screen() const { return run(tmux() + " capture-pane -p -t top"); }
    void keys(const std::string& keys) const { run(tmux() + " send-keys -t top " + keys); }
    // Waits (bounded) until the screen shows `text`.
    bool wait_for(const std::string& text) const {
        for (int i = 0; i < 200; ++i) {
            if (screen().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

   private:
    [[nodiscard]] std::string tmux() const { return "tmux -L " + server_; }
    std::string server_;
};

}  // namespace

TEST_CASE("weftd top shows workers, plugins and warnings live, sorts by a key and quits on q",
          "[top]") {
    const TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const auto config = dir.write(
        "weftd.json", R"({"admin": {"socket": ")" + socket.string() + R"("},
        "runtime": {"worker_threads": 2},
        "plugins": [{"name": "ticker", "path": ")" +
                          kProbe + R"(", "config": {"tick_ms": 10}},
                    {"name": "failing", "path": ")" +
                          kProbe + R"(", "config": {"block_ms": 1, "delay_ms": 10, "fail": 1}},
                    {"name": "hb", "path": ")" +
                          kHeartbeat + R"(", "config": {"interval_ms": 1000}}],
        "jobs": [{"name": "report", "plugin": "hb", "task": "report", "interval_ms": 300},
                 {"name": "hourly", "plugin": "hb", "task": "report", "interval_ms": 3600000}]})");
    Child weftd({kWeftd, "run", "-c", config.string()}, {"WEFT_ADMIN_SOCKET=" + socket.string()});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    const fs::path exit_file = dir.path() / "top.exit";

    SECTION("in 80x24") {
        const Tmux t(
            kWeftd + " top --socket " + socket.string() + "; echo $? > " + exit_file.string(), 80,
            24);
        REQUIRE(t.wait_for("PLUGIN"));
        REQUIRE(t.wait_for("ticker"));
        const std::string screen = t.screen();
        INFO(screen);
        CHECK_THAT(screen, Contains("WORKER"));
        CHECK_THAT(screen, Contains("failing"));
        CHECK_THAT(screen, Contains("sort: busy"));
        // The failed task is a warning, with its message.
        CHECK(t.wait_for("WARNINGS"));
        CHECK_THAT(t.screen(), Contains("failing: 1 failed task(s)"));
        // Sorted by name: failing before ticker.
        t.keys("n");
        REQUIRE(t.wait_for("sort: name"));
        const std::string by_name = t.screen();
        INFO(by_name);
        CHECK(by_name.find("\nfailing ") < by_name.find("\nticker "));
        t.keys("q");
        REQUIRE(weft::test::wait_for_text(exit_file, "0"));
    }
    SECTION("a larger terminal also shows channels and jobs, with their next and last runs") {
        const Tmux t(kWeftd + " top --socket " + socket.string(), 120, 40);
        REQUIRE(t.wait_for("CHANNEL"));
        // The 300 ms job has run (its last run ended well, seconds ago at most); the hourly one
        // has not, and runs in about an hour.
        REQUIRE(t.wait_for("s ago"));
        const std::string screen = t.screen();
        INFO(screen);
        const auto report = screen.find("\nreport ");
        REQUIRE(report != std::string::npos);
        CHECK_THAT(screen.substr(report, screen.find('\n', report + 1) - report),
                   Contains(" ok ") && Contains("s ago"));
        CHECK_THAT(screen, Contains("JOB"));
        CHECK_THAT(screen, Contains("NEXT"));
        CHECK_THAT(screen, Contains("LAST"));
        CHECK_THAT(screen, Contains("probe"));  // the ticker's channel
        const auto hourly = screen.find("\nhourly ");
        REQUIRE(hourly != std::string::npos);
        const std::string row = screen.substr(hourly + 1, screen.find('\n', hourly + 1) - hourly);
        CHECK_THAT(row, Contains(" in 59m ") || Contains(" in 1h "));
        CHECK_THAT(row, Contains(" - "));  // no run ended yet
        t.keys("q");
    }
    weftd.send(SIGTERM);
    CHECK(weftd.wait_exit() == 0);
}

TEST_CASE("weftd top with no daemon prints one line and exits 1", "[top]") {
    const TempDir dir;
    Child top({kWeftd, "top", "--socket", (dir.path() / "none.sock").string()});
    const auto code = top.wait_exit();
    REQUIRE(code.has_value());
    CHECK(*code == 1);
    const std::string err = top.err();
    INFO(err);
    CHECK_THAT(err,
               Contains("weftd top: no daemon answers on " + (dir.path() / "none.sock").string()));
    CHECK(weft::test::count_of(err, "\n") == 1);
    CHECK(top.out().empty());
}
