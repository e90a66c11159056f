// The C++ SDK's Tokio toolkit through the real host, on both flavors: toolkit_probe
// (tests/plugins/sdk/toolkit_probe.cpp) runs each part in a plugin task and logs what it saw.
#include <catch2/catch.hpp>

#include <string>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

// Runs the probe in `mode` until it logs "<mode> done", shuts the host down (some modes log what
// the shutdown did) and returns every line logged.
std::string run_mode(Flavor flavor, const std::string& mode, LogCapture& log) {
    const auto config = config_from(R"({"plugins": [
        {"name": "kit", "path": "toolkit_probe.so", "config": {"mode": ")" +
                                    mode + R"("}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        REQUIRE(log.wait_for("toolkit: " + mode + " done", std::chrono::seconds(30)));
    }
    CHECK_FALSE(log.contains(mode + " threw"));
    return log.text();
}

bool has(const LogCapture& log, const std::string& line) {
    return log.contains("[kit] info: toolkit: " + line);
}

}  // namespace

TEST_CASE(
    "plugin sdk toolkit: interval ticks with the burst, delay and skip missed-tick behaviours") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "interval", log));
    for (const char* b : {"burst", "delay", "skip"}) {
        CHECK(has(log, std::string(b) + " second tick a period later: yes"));
        CHECK(has(log, std::string(b) + " late tick is the missed one: yes"));
    }
    // burst catches up on the original schedule: the missed ticks are due before the stall ended
    CHECK(
        has(log,
            "burst ticks after the stall: due before its end, on the original grid, spaced 20 ms"));
    // delay shifts the schedule: the next tick is a period after the late one
    CHECK(has(log, "delay ticks after the stall: due after its end, off the grid"));
    // skip drops the missed ticks and keeps the schedule's phase
    CHECK(has(log, "skip ticks after the stall: due after its end, on the original grid"));
    CHECK(has(log, "the first tick of an hourly interval completes at once: yes"));
    CHECK(has(log, "reset_after moves the next tick: yes"));
    CHECK(has(log, "reset_immediately makes it due now: yes"));
    CHECK(has(log, "zero period: weft::interval: the period must be greater than zero"));
}

TEST_CASE("plugin sdk toolkit: timeout works on child tasks, join handles and any awaitable") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "timeout", log));
    CHECK(has(log, "timeout on a slow task: timed out"));
    // the timed-out child task was dropped (cancelled) before the awaiting task went on
    CHECK(log.index_of("dropped timed-out child task") >= 0);
    CHECK(log.index_of("dropped timed-out child task") < log.index_of("timeout on a slow task"));
    CHECK(has(log, "timeout on a quick task: 7"));
    CHECK(has(log, "timeout on a join handle: timed out"));
    CHECK(has(log, "the handle after its timeout gives 9"));
    CHECK(has(log, "timeout_at: fired"));
    CHECK(has(log, "timeout rethrew 'inner failure'"));
}

TEST_CASE(
    "plugin sdk toolkit: first_of and select race any number of branches and cancel the losers") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "select", log));
    CHECK(has(log, "first_of of four picked 2 with 'hello'"));
    CHECK(log.index_of("dropped losing branch task") >= 0);
    CHECK(log.index_of("dropped losing branch task") < log.index_of("first_of of four picked"));
    CHECK(has(log, "first_of is biased: yes"));
    CHECK(has(log, "select is fair: yes"));
    CHECK(has(log, "select rethrew 'branch failed'"));
}

TEST_CASE(
    "plugin sdk toolkit: join runs branches concurrently, try_join stops at the first error") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "join", log));
    CHECK(has(log, "join ran its branches concurrently and gave 2 and 1"));
    CHECK(has(log, "try_join rethrew 'first error'"));
    CHECK(log.index_of("dropped try_join's other branch") >= 0);
    CHECK(log.index_of("dropped try_join's other branch") < log.index_of("try_join rethrew"));
    CHECK(has(log, "join_all of 50 tasks: 50 results summing to 1275, in order: yes"));
    CHECK(has(log, "try_join_all rethrew 'one of many failed'"));
    CHECK(log.index_of("dropped try_join_all's other task") >= 0);
    CHECK(log.index_of("dropped try_join_all's other task") < log.index_of("try_join_all rethrew"));
}

TEST_CASE(
    "plugin sdk toolkit: a JoinSet joins its tasks as they finish, aborts them, and aborts on "
    "destruction") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "join_set", log));
    CHECK(has(log, "join_set joined 200 tasks, sum 19900, empty after: yes"));
    CHECK(has(log, "join_next rethrew 'a set task failed'"));
    CHECK(has(log, "join_set went on after a failure: 1 failed, 1 gave a value"));
    CHECK(has(log, "abort_all: 2 cancelled"));
    CHECK(has(log, "dropped task of a destroyed set"));
    CHECK(has(log, "shutdown emptied the set: yes"));
    CHECK(has(log, "join_next of an empty set: empty"));
}

TEST_CASE(
    "plugin sdk toolkit: cancellation tokens cancel their subtree and the shutdown token is their "
    "root") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "cancel", log));
    CHECK(has(log, "grandchild token cancelled"));
    CHECK(has(log,
              "after child.cancel(): root live, child cancelled, grandchild cancelled, a new "
              "child of child cancelled"));
    CHECK(has(log, "run_until_cancelled on a live token gave 3"));
    CHECK(has(log, "run_until_cancelled on a cancelled token gave nothing"));
    CHECK(has(log, "drop_guard cancels: yes, disarmed: live"));
    // Nobody cancelled it: the daemon's shutdown (run_mode ends the host) did.
    CHECK(has(log, "shutdown's grandchild token cancelled"));
    CHECK(log.index_of("shutdown's grandchild token cancelled") > log.index_of("cancel done"));
    CHECK(has(log, "shutdown's run_until_cancelled gave nothing"));
}

TEST_CASE("plugin sdk toolkit: oneshot delivers one value and reports a dropped end") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "oneshot", log));
    CHECK(has(log, "oneshot try_recv before the send: empty"));
    CHECK(has(log, "oneshot received 42, terminated: yes"));
    CHECK(has(log, "oneshot with its sender dropped: empty"));
    CHECK(has(log, "oneshot try_recv after: closed"));
    CHECK(has(log, "oneshot closed() completed, is_closed: yes"));
    CHECK(has(log, "oneshot send to a dropped receiver: refused"));
}

TEST_CASE("plugin sdk toolkit: Mutex excludes across workers and a cancelled lock takes nothing") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "mutex", log));
    CHECK(has(log, "mutex counted 4000, most tasks inside at once: 1"));
    CHECK(has(log, "try_lock while held: refused"));
    CHECK(has(log, "lock under a timeout while held: timed out"));
    CHECK(has(log, "try_lock once released: taken"));
}

TEST_CASE("plugin sdk toolkit: RwLock shares reads, queues a writer fairly and downgrades") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "rwlock", log));
    CHECK(has(log, "two readers at once: 2, try_write: refused"));
    CHECK(has(log, "try_read with a writer waiting: refused"));
    CHECK(has(log, "the writer got in after the readers and wrote 5"));
    CHECK(has(log, "downgraded guard reads 10, try_read: taken, try_write: refused"));
}

TEST_CASE("plugin sdk toolkit: Barrier releases each generation with one leader") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "barrier", log));
    CHECK(has(log, "barrier of 5 over 3 generations had 3 leaders"));
    CHECK(has(log, "barrier of 0 leads at once: yes"));
}

TEST_CASE("plugin sdk toolkit: a loop of child tasks that finish at once runs in constant stack") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    INFO(run_mode(flavor, "children", log));
    CHECK(has(log, "a million child awaits summed to 1000000"));
}
