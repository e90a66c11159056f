// Specification of interval and its missed-tick behaviours, on the paused clock. The stall
// scenarios are Tokio's (tests/time_interval.rs): the interval is polled by hand after each
// advance, and every tick that is due must come out, then the interval must be pending.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;
using std::chrono::milliseconds;

namespace {

// Every tick ready now, as offsets from `start`; the poll after the last one was pending.
std::vector<milliseconds> ready_ticks(wt::Interval& iv, wt::Instant start) {
    // The counter outlives every interval: the last pending poll leaves a clone in the timer.
    static std::atomic<int> wakes{0};
    Context cx(weft::test::CountingWaker::ref(wakes));
    std::vector<milliseconds> out;
    wt::Instant at;
    while (iv.poll_tick(cx, at) && out.size() < 100)
        out.push_back(std::chrono::duration_cast<milliseconds>(at - start));
    return out;
}

using Ticks = std::vector<milliseconds>;

}  // namespace

TEST_CASE("interval: the first tick is immediate, then one per period", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto iv = wt::interval(100ms);
        std::vector<milliseconds> seen;
        for (int i = 0; i < 4; ++i) {
            wt::Instant at = co_await iv.tick();
            CHECK(at == wt::now());
            seen.push_back(std::chrono::duration_cast<milliseconds>(wt::now() - t0));
        }
        CHECK(seen == Ticks{0ms, 100ms, 200ms, 300ms});
        CHECK(iv.period() == 100ms);
        CHECK(iv.missed_tick_behavior() == wt::MissedTickBehavior::burst);
    }());
}

TEST_CASE("interval_at starts at the given instant", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto iv = wt::interval_at(t0 + 50ms, 20ms);
        // (co_await is kept out of CHECK: the macro may expand its argument more than once)
        wt::Instant at = co_await iv.tick();
        CHECK(at == t0 + 50ms);
        CHECK(wt::now() - t0 == 50ms);
        at = co_await iv.tick();
        CHECK(at == t0 + 70ms);
        iv.reset();  // next tick one period from now
        at = co_await iv.tick();
        CHECK(at == t0 + 90ms);
    }());
}

TEST_CASE("interval Burst: missed ticks come at once, keeping the schedule", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant start = wt::now();
        co_await wt::advance(1ms);
        auto iv = wt::interval_at(start, 300ms);
        CHECK(ready_ticks(iv, start) == Ticks{0ms});
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, start).empty());
        co_await wt::advance(200ms);
        CHECK(ready_ticks(iv, start) == Ticks{300ms});
        co_await wt::advance(650ms);  // stall: 600 and 900 were missed
        CHECK(ready_ticks(iv, start) == Ticks{600ms, 900ms});
        co_await wt::advance(200ms);
        CHECK(ready_ticks(iv, start).empty());
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, start) == Ticks{1200ms});
        co_await wt::advance(250ms);
        CHECK(ready_ticks(iv, start) == Ticks{1500ms});
        co_await wt::advance(300ms);
        CHECK(ready_ticks(iv, start) == Ticks{1800ms});
    }());
}

TEST_CASE("interval Delay: after a missed tick the schedule restarts from it", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant start = wt::now();
        co_await wt::advance(1ms);
        auto iv = wt::interval_at(start, 300ms);
        iv.set_missed_tick_behavior(wt::MissedTickBehavior::delay);
        CHECK(ready_ticks(iv, start) == Ticks{0ms});
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, start).empty());
        co_await wt::advance(200ms);
        CHECK(ready_ticks(iv, start) == Ticks{300ms});
        co_await wt::advance(650ms);  // stall: the 600 tick is taken at 951
        CHECK(ready_ticks(iv, start) == Ticks{600ms});
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, start).empty());
        co_await wt::advance(201ms);
        CHECK(ready_ticks(iv, start) == Ticks{1251ms});  // 951 + 300
        co_await wt::advance(300ms);
        CHECK(ready_ticks(iv, start) == Ticks{1551ms});
        co_await wt::advance(300ms);
        CHECK(ready_ticks(iv, start) == Ticks{1851ms});
    }());
}

TEST_CASE("interval Skip: missed ticks are dropped, the phase is kept", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant start = wt::now();
        co_await wt::advance(1ms);
        auto iv = wt::interval_at(start, 300ms);
        iv.set_missed_tick_behavior(wt::MissedTickBehavior::skip);
        CHECK(ready_ticks(iv, start) == Ticks{0ms});
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, start).empty());
        co_await wt::advance(200ms);
        CHECK(ready_ticks(iv, start) == Ticks{300ms});
        co_await wt::advance(650ms);  // stall: 900 is skipped
        CHECK(ready_ticks(iv, start) == Ticks{600ms});
        co_await wt::advance(250ms);
        CHECK(ready_ticks(iv, start) == Ticks{1200ms});
        co_await wt::advance(300ms);
        CHECK(ready_ticks(iv, start) == Ticks{1500ms});
        co_await wt::advance(300ms);
        CHECK(ready_ticks(iv, start) == Ticks{1800ms});
    }());
}

TEST_CASE("interval ticks on time when awaited after a stall, per behaviour", "[time][interval]") {
    // The same stall seen from a task that awaits tick(): ticks are taken at the times below.
    struct Case {
        wt::MissedTickBehavior behavior;
        std::vector<milliseconds> scheduled;  // what tick() returns
        std::vector<milliseconds> taken;      // when it returns
    };
    const std::vector<Case> cases = {
        {wt::MissedTickBehavior::burst,
         {0ms, 100ms, 200ms, 300ms, 400ms},
         {0ms, 350ms, 350ms, 350ms, 400ms}},
        {wt::MissedTickBehavior::delay,
         {0ms, 100ms, 450ms, 550ms, 650ms},
         {0ms, 350ms, 450ms, 550ms, 650ms}},
        {wt::MissedTickBehavior::skip,
         {0ms, 100ms, 400ms, 500ms, 600ms},
         {0ms, 350ms, 400ms, 500ms, 600ms}},
    };
    for (const Case& c : cases) {
        auto rt = Builder::new_current_thread().build();
        rt.block_on([](const Case& c) -> Task<void> {
            wt::pause();
            const wt::Instant t0 = wt::now();
            auto iv = wt::interval(100ms);
            iv.set_missed_tick_behavior(c.behavior);
            std::vector<milliseconds> scheduled, taken;
            for (int i = 0; i < 5; ++i) {
                wt::Instant at = co_await iv.tick();
                scheduled.push_back(std::chrono::duration_cast<milliseconds>(at - t0));
                taken.push_back(std::chrono::duration_cast<milliseconds>(wt::now() - t0));
                if (i == 0) co_await wt::advance(350ms);  // the task stalls for 350 ms
            }
            CHECK(scheduled == c.scheduled);
            CHECK(taken == c.taken);
        }(c));
    }
}

TEST_CASE("interval rejects a non-positive period", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        CHECK_THROWS_AS(wt::interval(0ms), std::invalid_argument);
        CHECK_THROWS_AS(wt::interval(-5ms), std::invalid_argument);
        co_return;
    }());
}

TEST_CASE("interval reset_immediately ticks at once, then keeps the period from there",
          "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto iv = wt::interval(100ms);
        (void)co_await iv.tick();  // 0 ms
        co_await wt::sleep(30ms);
        iv.reset_immediately();
        CHECK(ready_ticks(iv, t0) == Ticks{30ms});  // at once, and only one
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, t0) == Ticks{130ms});
    }());
}

TEST_CASE("interval reset_after and reset_at move the next tick and the schedule after it",
          "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto iv = wt::interval(100ms);
        (void)co_await iv.tick();
        iv.reset_after(250ms);
        co_await wt::advance(240ms);
        CHECK(ready_ticks(iv, t0).empty());
        co_await wt::advance(10ms);
        CHECK(ready_ticks(iv, t0) == Ticks{250ms});
        co_await wt::advance(100ms);
        CHECK(ready_ticks(iv, t0) == Ticks{350ms});

        iv.reset_at(t0 + 400ms);  // earlier than the 450 ms the schedule had
        co_await wt::advance(50ms);
        CHECK(ready_ticks(iv, t0) == Ticks{400ms});

        iv.reset_at(t0);  // already passed: at once, then (Burst) the ticks missed since
        CHECK(ready_ticks(iv, t0) == Ticks{0ms, 100ms, 200ms, 300ms, 400ms});
        iv.reset_after(-5ms);  // not positive: at once too
        auto at = co_await iv.tick();
        CHECK(at <= wt::now());
    }());
}

TEST_CASE("interval reset_at wakes a task waiting in tick", "[time][interval]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto iv = wt::interval(1000ms);
        (void)co_await iv.tick();
        auto waiter =
            spawn([](wt::Interval& iv) -> Task<wt::Instant> { co_return co_await iv.tick(); }(iv));
        co_await yield_now();  // the waiter waits for the 1000 ms tick
        iv.reset_at(t0 + 10ms);
        auto at = co_await waiter;
        CHECK(at == t0 + 10ms);
    }());
}
