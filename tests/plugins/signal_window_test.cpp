// One signal delivered twice is one shutdown request (cli/signal_loop.hpp, kDuplicateWindow):
// GNU `timeout -s INT` signals weftd and then its process group, so weftd sees SIGINT twice at
// once. The real weftd, a plugin whose task ignores its shutdown token (so the shutdown lasts the
// grace period) and real signals.
#include <catch2/catch.hpp>

#include "../daemon/child_process.hpp"

namespace {

using namespace weft::test;

const std::string kWeftd = WEFTD_PATH;

// A config whose shutdown lasts `grace_ms`: the stubborn task is cancelled only then.
fs::path stubborn_config(const TempDir& dir, int grace_ms) {
    return dir.write("weftd.json",
                     R"({"shutdown": {"grace_period_ms": )" + std::to_string(grace_ms) + R"(},
        "plugins": [{"name": "stuck", "path": "bad_lifecycle.so", "config": {"stubborn": true}}]})");
}

}  // namespace

TEST_CASE(
    "signal window: two SIGINTs back to back (timeout's process-group kill) drain gracefully") {
    TempDir dir;
    Child weftd({kWeftd, "run", "-c", stubborn_config(dir, 1500).string(), "--plugin-dir",
                 WEFT_TEST_BAD_PLUGIN_DIR});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));
    // As timeout does: the child, then its group. The pause lets weftd handle the first before
    // the second arrives (two pending SIGINTs would merge into one in the kernel).
    weftd.send(SIGINT);
    std::this_thread::sleep_for(20ms);
    weftd.send(SIGINT);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK_THAT(weftd.err(), Catch::Contains("received SIGINT, shutting down"));
    CHECK_THAT(weftd.err(), Catch::Contains("weftd stopped"));
    CHECK_THAT(weftd.err(), !Catch::Contains("exiting now"));
}

TEST_CASE("signal window: the same signal again after the window forces the exit") {
    TempDir dir;
    Child weftd({kWeftd, "run", "-c", stubborn_config(dir, 60000).string(), "--plugin-dir",
                 WEFT_TEST_BAD_PLUGIN_DIR});
    REQUIRE(wait_for_text(weftd.stderr_file(), "weftd started"));
    weftd.send(SIGINT);
    REQUIRE(wait_for_text(weftd.stderr_file(), "shutdown requested of 1 plugins"));
    std::this_thread::sleep_for(4 * std::chrono::milliseconds(250));  // well past the window
    weftd.send(SIGINT);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK_THAT(weftd.err(), Catch::Contains("received SIGINT during the shutdown: exiting now"));
}
