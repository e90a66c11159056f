// Specification of poll timing and the stall monitor (runtime/metrics/long_poll.hpp,
// stall_monitor.hpp): a worker stuck in one poll traps nothing (its LIFO task, the timers), and a
// long poll is reported while it runs and when it ends.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/blocking/block_in_place.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/time/interval.hpp"
#include "runtime/time/sleep.hpp"

using namespace weft;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

Task<void> block_when_notified(sync::Notify& go, std::chrono::milliseconds hold) {
    co_await go.notified();
    std::this_thread::sleep_for(hold);
}

// Ticks every 10 ms for 2.5 s, waking a task that blocks its poll for 1.5 s at the 30th tick.
Task<Clock::duration> tick_and_wake_a_blocker() {
    sync::Notify go;
    auto blocker = spawn(block_when_notified(go, 1500ms));
    auto iv = time::interval(10ms);
    Clock::duration longest{0};
    Clock::time_point last = Clock::now();
    for (int tick = 0; tick < 250; ++tick) {
        (void)co_await iv.tick();
        const auto now = Clock::now();
        if (tick > 0) longest = std::max(longest, now - last);
        last = now;
        if (tick == 30) go.notify_one();
    }
    co_await std::move(blocker);
    co_return longest;
}

struct LifoProbe {
    sync::Notify notify;
    std::atomic<bool> stalling{false};
    std::atomic<bool> woken_ran{false};
    std::atomic<bool> ran_during_stall{false};
};

Task<void> wait_for_notify(LifoProbe& p) {
    co_await p.notify.notified();
    p.woken_ran.store(true);
    p.ran_during_stall.store(p.stalling.load());
}

// Wakes the waiter (it goes to this worker's LIFO slot), then blocks the poll for a second.
Task<void> notify_then_block(LifoProbe& p) {
    p.notify.notify_one();
    p.stalling.store(true);
    std::this_thread::sleep_for(1000ms);
    p.stalling.store(false);
    co_return;
}

Task<void> wake_then_block(LifoProbe& p) {
    auto waiter = spawn(wait_for_notify(p));
    co_await time::sleep(50ms);  // the waiter is registered
    co_await spawn(notify_then_block(p));
    co_await std::move(waiter);
}

Task<void> tagged_block(const void* tag) {
    const PollTagScope scope(tag);
    std::this_thread::sleep_for(300ms);
    CHECK(scope.elapsed() >= 300ms);
    CHECK(scope.long_poll_threshold() == 50ms);
    co_return;
}

Task<void> untagged_block() {
    std::this_thread::sleep_for(200ms);
    co_return;
}

Task<void> nothing() { co_return; }

Task<void> tagged_then_untagged_long_polls(const void* tag) {
    co_await spawn(tagged_block(tag));
    co_await spawn(untagged_block());
    co_await spawn(nothing());  // short: never reported
}

// The long polls a multi_thread runtime reports past a 50 ms threshold, gathered for a test.
struct LongPollLog {
    std::mutex mutex;
    std::vector<LongPoll> reports;  // guarded by mutex
    Runtime runtime(std::size_t workers) {
        return Builder::new_multi_thread()
            .worker_threads(workers)
            .long_poll_threshold(50ms,
                                 [this](const LongPoll& p) {
                                     std::lock_guard lock(mutex);
                                     reports.push_back(p);
                                 })
            .build();
    }
};

// The hand-off scenario of block_in_place with tags: A's tagged poll hands its worker to a new
// thread, which runs B's tagged poll while A's scope ends; then C's untagged long poll.
struct HandOffProbe {
    const int tag_a = 0;
    const int tag_b = 0;
    std::atomic<bool> a_handed_off{false};
    std::atomic<bool> b_tagged{false};
    std::atomic<bool> a_scope_ended{false};
};

Task<void> tagged_block_in_place(HandOffProbe& p) {
    {
        const PollTagScope scope(&p.tag_a);
        block_in_place([&] {
            p.a_handed_off.store(true);
            while (!p.b_tagged.load()) std::this_thread::sleep_for(1ms);
        });
    }
    p.a_scope_ended.store(true);
    co_return;
}

Task<void> tagged_until_a_ends(HandOffProbe& p) {
    while (!p.a_handed_off.load()) co_await time::sleep(1ms);  // B now runs on the new thread
    const PollTagScope scope(&p.tag_b);
    p.b_tagged.store(true);
    while (!p.a_scope_ended.load()) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);
    co_return;
}

Task<void> hand_off_then_untagged(HandOffProbe& p) {
    auto a = spawn(tagged_block_in_place(p));
    auto b = spawn(tagged_until_a_ends(p));
    co_await std::move(a);
    co_await std::move(b);
    co_await spawn(untagged_block());
}

}  // namespace

TEST_CASE("a task woken by a timer task and stuck in its poll does not hold up that timer",
          "[stall][scheduler]") {
    // The ticker itself wakes the blocker: the blocker runs next on the ticker's worker (LIFO),
    // which came out of the driver; the other worker sleeps on its condition variable unless the
    // monitor wakes it to take over the driver.
    auto rt = Builder::new_multi_thread().worker_threads(2).poll_time_histogram(true).build();
    const auto gap = rt.block_on(tick_and_wake_a_blocker());
    INFO("longest gap between ticks: "
         << std::chrono::duration_cast<std::chrono::milliseconds>(gap).count() << " ms");
    CHECK(gap < 700ms);
}

TEST_CASE("a task woken into a stuck worker's LIFO slot runs on another worker",
          "[stall][scheduler]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).poll_time_histogram(true).build();
    LifoProbe probe;
    rt.block_on(wake_then_block(probe));
    CHECK(probe.woken_ran.load());
    CHECK(probe.ran_during_stall.load());
}

TEST_CASE("a long poll is reported while it runs, tagged, and when it ends", "[stall][metrics]") {
    LongPollLog log;
    const int tag_object = 0;
    auto rt = log.runtime(2);
    CHECK(rt.config().poll_time_histogram);  // a threshold turns poll timing on
    rt.block_on(tagged_then_untagged_long_polls(&tag_object));
    std::lock_guard lock(log.mutex);
    const std::vector<LongPoll>& reports = log.reports;
    REQUIRE(reports.size() >= 2);
    // The tagged poll: reported while running (its end is its tag owner's to report).
    const auto running = std::find_if(reports.begin(), reports.end(),
                                      [&](const LongPoll& p) { return p.tag == &tag_object; });
    REQUIRE(running != reports.end());
    CHECK_FALSE(running->finished);
    CHECK(running->duration >= 50ms);
    CHECK(running->duration < 300ms);
    CHECK(std::none_of(reports.begin(), reports.end(),
                       [&](const LongPoll& p) { return p.tag == &tag_object && p.finished; }));
    // The untagged one: reported at its end by the runtime, with its whole duration.
    const auto ended = std::find_if(reports.begin(), reports.end(),
                                    [](const LongPoll& p) { return p.finished && !p.tag; });
    REQUIRE(ended != reports.end());
    CHECK(ended->duration >= 200ms);
    // The longest poll and the histogram saw it.
    const auto m = rt.metrics();
    std::chrono::nanoseconds longest{0};
    for (const auto& w : m.workers) longest = std::max(longest, w.longest_poll);
    CHECK(longest >= 300ms);
    // Bucket i counts polls of [2^i, 2^(i+1)) us: 300 ms is in bucket 18, the last one (15).
    CHECK(m.poll_time_histogram.back() >= 2);
}

TEST_CASE("long_poll_threshold out of range is a build error", "[stall][builder]") {
    CHECK_THROWS_AS(Builder::new_current_thread().long_poll_threshold(-1ms, nullptr).build(),
                    BuildError);
    CHECK_THROWS_AS(
        Builder::new_current_thread().long_poll_threshold(std::chrono::hours(2), nullptr).build(),
        BuildError);
}

TEST_CASE("with the coarse poll clock a long poll is still measured to a tick",
          "[stall][metrics]") {
    auto rt = Builder::new_current_thread()
                  .poll_time_histogram(true)
                  .poll_clock(PollClock::coarse)
                  .build();
    rt.block_on(untagged_block());  // 200 ms in one poll
    const auto m = rt.metrics();
    CHECK(m.workers[0].longest_poll >= 150ms);  // a tick is at most 10 ms
    CHECK(m.poll_time_histogram.back() == 1);
}

TEST_CASE("a tag scope that ends after its poll handed the worker off names nothing of the worker",
          "[stall][metrics][block_in_place]") {
    // One worker: A's block_in_place moves it to a new thread, which polls B (tagged) while A's
    // scope ends on the old thread, then C (untagged, 200 ms). The worker's tags are the new
    // thread's own: A's ending scope must not overwrite B's tag, and C is reported untagged.
    LongPollLog log;
    auto rt = log.runtime(1);
    HandOffProbe probe;
    rt.block_on(hand_off_then_untagged(probe));
    std::lock_guard lock(log.mutex);
    const std::vector<LongPoll>& reports = log.reports;
    CHECK(std::none_of(reports.begin(), reports.end(),
                       [&](const LongPoll& p) { return p.tag == &probe.tag_a; }));
    // C, untagged, is reported at its end with its whole duration and while it runs with no tag.
    const auto ended = std::find_if(reports.begin(), reports.end(), [](const LongPoll& p) {
        return p.finished && !p.tag && p.duration >= 200ms;
    });
    CHECK(ended != reports.end());
    CHECK(std::none_of(reports.begin(), reports.end(), [&](const LongPoll& p) {
        return !p.finished && p.tag && p.tag != &probe.tag_b;
    }));
}
