// TaskTracker (host/plugin/task_tracker.hpp): what it admits at each step of a plugin's end, and
// the live count the shutdown and a reload's drain wait on.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>

#include "host/plugin/task_tracker.hpp"
#include "runtime/runtime.hpp"

using weft::Runtime;
using weft::Task;
using weft::host::BlockingRecord;
using weft::host::IdleSignal;
using weft::host::TaskTracker;
using namespace std::chrono_literals;

namespace {

// A plugin task as the host spawns one: counted live from its arming until its state is dropped.
struct Counted {
    TaskTracker* tracker;
    bool live = false;
    ~Counted() {
        if (live) tracker->ended();
    }
};
Task<int> counted_task(std::shared_ptr<Counted>) { co_return 0; }

bool spawn(TaskTracker& tracker, Runtime& rt) {
    auto counted = std::make_shared<Counted>(Counted{&tracker});
    Task<int> task = counted_task(counted);
    return tracker.spawn(
        rt.handle(), task,
        [&] {
            tracker.started();
            counted->live = true;
        },
        nullptr);
}

bool submit_job(TaskTracker& tracker, Runtime& rt) {
    auto record = std::make_shared<BlockingRecord>();
    return tracker.add_blocking(record, [&] {
        tracker.started();
        record->job = weft::spawn_blocking_on(rt.handle(), [&tracker] {
            tracker.ended();
            return 0;
        });
    });
}

}  // namespace

TEST_CASE(
    "task tracker: open, it admits tasks and blocking jobs and counts each live until it ends") {
    Runtime rt = weft::Builder::new_multi_thread().worker_threads(2).build();
    TaskTracker tracker(std::make_shared<IdleSignal>());
    REQUIRE(spawn(tracker, rt));
    REQUIRE(submit_job(tracker, rt));
    CHECK(tracker.wait_idle_until(std::chrono::steady_clock::now() + 10s));
    CHECK(tracker.live() == 0);
}

TEST_CASE("task tracker: after abort_tasks it refuses tasks but still admits blocking jobs") {
    // A reload's drain: a task cancelled in the middle of a poll may hand what it received to the
    // blocking pool in that poll; refusing it would lose the batch.
    Runtime rt = weft::Builder::new_multi_thread().worker_threads(2).build();
    TaskTracker tracker(std::make_shared<IdleSignal>());
    tracker.abort_tasks();
    CHECK_FALSE(spawn(tracker, rt));
    CHECK(submit_job(tracker, rt));
    CHECK(tracker.wait_idle_until(std::chrono::steady_clock::now() + 10s));

    tracker.close();  // the drain's wait is over: from here nothing more
    CHECK_FALSE(submit_job(tracker, rt));
    CHECK_FALSE(spawn(tracker, rt));
    CHECK(tracker.live() == 0);
}

TEST_CASE("task tracker: after close or abort_all it refuses tasks and blocking jobs") {
    Runtime rt = weft::Builder::new_multi_thread().worker_threads(2).build();
    TaskTracker closed(std::make_shared<IdleSignal>());
    closed.close();
    CHECK_FALSE(spawn(closed, rt));
    CHECK_FALSE(submit_job(closed, rt));

    TaskTracker aborted(std::make_shared<IdleSignal>());
    aborted.abort_all();
    CHECK_FALSE(spawn(aborted, rt));
    CHECK_FALSE(submit_job(aborted, rt));
    CHECK(aborted.live() == 0);
}
