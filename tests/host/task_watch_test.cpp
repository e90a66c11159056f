// The task view's per-task figures (host/plugin/task_watch.hpp): the counting waker, the states
// and the warnings, driven by hand with a stand-in for the runtime task's waker.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "host/plugin/task_watch.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using weft::Waker;
using weft::WakerRef;
using weft::WakerVTable;
using weft::host::TaskWatch;
using weft::host::TaskWatchList;
using weft::host::TaskWatchView;
using namespace std::chrono_literals;

namespace {

// The runtime task's waker, as far as the watch can tell: counts the wakes it forwards.
struct FakeTask {
    std::atomic<int> wakes{0};
    std::atomic<int> refs{0};
};
const WakerVTable kFakeVTable{
    [](const void* d) noexcept -> const void* {
        ++static_cast<FakeTask*>(const_cast<void*>(d))->refs;
        return d;
    },
    [](const void* d) noexcept {
        auto* t = static_cast<FakeTask*>(const_cast<void*>(d));
        ++t->wakes;
        --t->refs;
    },
    [](const void* d) noexcept { ++static_cast<FakeTask*>(const_cast<void*>(d))->wakes; },
    [](const void* d) noexcept { --static_cast<FakeTask*>(const_cast<void*>(d))->refs; },
};

// The slot's reference, released at the end of the test.
struct Watched {
    TaskWatch* watch = TaskWatch::make(7, "fetch");
    FakeTask task;
    WakerRef task_waker{&task, &kFakeVTable};
    ~Watched() { watch->release(); }
    [[nodiscard]] TaskWatchView view(std::chrono::nanoseconds long_poll = 100ms) const {
        return watch->view(std::chrono::steady_clock::now(), long_poll);
    }
};

bool has_warning(const TaskWatchView& v, const std::string& start) {
    for (const auto& w : v.warnings)
        if (w.rfind(start, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("task watch: a waker cloned in a poll wakes the task and counts the wake") {
    Watched w;
    const WakerRef counted = w.watch->begin_poll(w.task_waker);
    Waker kept = counted.clone();  // what a channel or a timer keeps
    CHECK(w.view().state == "running");
    CHECK(w.view().wakers == 1);
    w.watch->end_poll(2ms, /*pending=*/true);
    const TaskWatchView idle = w.view();
    CHECK(idle.state == "idle");
    CHECK(idle.polls == 1);
    CHECK(idle.busy == 2ms);
    CHECK(idle.name == "fetch");
    CHECK(idle.task == 7);
    CHECK(idle.warnings.empty());  // waiting, and someone holds its waker

    std::thread other([&] { kept.wake(); });  // from another thread: not a self-wake
    other.join();
    const TaskWatchView woken = w.view();
    CHECK(woken.state == "scheduled");
    CHECK(woken.wakes == 1);
    CHECK(woken.self_wakes == 0);
    CHECK(woken.wakers == 0);
    CHECK(w.task.wakes == 1);  // forwarded to the runtime task
    // The next poll begins: no longer scheduled.
    (void)w.watch->begin_poll(w.task_waker);
    w.watch->end_poll(1ms, /*pending=*/false);
    CHECK(w.view().state == "idle");
    CHECK(w.view().polls == 2);
}

TEST_CASE("task watch: a task that wakes itself in most polls is warned of self-wakes") {
    Watched w;
    for (int i = 0; i < 150; ++i) {
        const WakerRef counted = w.watch->begin_poll(w.task_waker);
        counted.wake_by_ref();  // yield: poll me again
        w.watch->end_poll(1us, /*pending=*/true);
    }
    const TaskWatchView v = w.view();
    CHECK(v.wakes == 150);
    CHECK(v.self_wakes == 150);
    CHECK(v.state == "scheduled");
    CHECK(has_warning(v, "self-wakes: 150 of its 150 wakes"));
    CHECK_FALSE(has_warning(v, "lost waker"));  // it is scheduled
}

TEST_CASE("task watch: a task pending with no waker left anywhere is warned of a lost waker") {
    Watched w;
    (void)w.watch->begin_poll(w.task_waker);  // registers nothing
    w.watch->end_poll(1us, /*pending=*/true);
    const TaskWatchView v = w.view();
    CHECK(v.state == "idle");
    CHECK(has_warning(v, "lost waker"));
    // A waker taken and then dropped is as lost.
    Watched dropped;
    {
        const WakerRef counted = dropped.watch->begin_poll(dropped.task_waker);
        Waker clone = counted.clone();
        dropped.watch->end_poll(1us, /*pending=*/true);
        CHECK_FALSE(has_warning(dropped.view(), "lost waker"));
    }
    CHECK(has_warning(dropped.view(), "lost waker"));
}

TEST_CASE("task watch: a poll reaching the threshold is warned of, none with the threshold 0") {
    Watched w;
    (void)w.watch->begin_poll(w.task_waker);
    Waker kept = w.watch->begin_poll(w.task_waker).clone();
    w.watch->end_poll(150ms, /*pending=*/true);
    CHECK(w.view().longest_poll == 150ms);
    CHECK(has_warning(w.view(100ms), "long poll: its longest poll took 150 ms (threshold 100 ms)"));
    CHECK(w.view(0ms).warnings.empty());
}

TEST_CASE("task watch: a waker held after the task ended keeps the watch alive, not listed") {
    TaskWatchList list;
    FakeTask task;
    TaskWatch* a = TaskWatch::make(1, "a");
    TaskWatch* b = TaskWatch::make(2, "");
    list.add(a);
    list.add(b);
    Waker outlives = a->begin_poll(WakerRef(&task, &kFakeVTable)).clone();
    a->end_poll(1us, true);
    REQUIRE(list.views(100ms).size() == 2);
    CHECK(list.views(100ms)[0].name == "a");
    CHECK(list.views(100ms)[1].task == 2);
    list.remove(a);  // the task's state was dropped
    a->release();    // the slot's reference
    REQUIRE(list.views(100ms).size() == 1);
    outlives.wake();  // still valid memory (ASan would say otherwise), still forwards
    CHECK(task.wakes == 1);
    list.remove(b);
    b->release();
    CHECK(list.views(100ms).empty());
    CHECK(task.refs == 0);  // the watch's clone of the task waker went with it
}
