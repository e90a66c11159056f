// Specification of sleep, sleep_until and Sleep::reset, on the paused clock wherever exact times
// matter (current_thread runtime), and on the real clock for the load tests on both flavors.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

wt::detail::TimeHandle& time_handle() { return *wt::detail::try_current_time_handle(); }

Task<void> sleeper(milliseconds d, int id, std::vector<std::pair<int, nanoseconds>>& log,
                   wt::Instant t0) {
    co_await wt::sleep(d);
    log.emplace_back(id, wt::now() - t0);
}

}  // namespace

TEST_CASE("sleeps complete in deadline order, each exactly at its deadline", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        std::vector<std::pair<int, nanoseconds>> log;
        std::vector<JoinHandle<void>> hs;
        hs.push_back(spawn(sleeper(30ms, 3, log, t0)));
        hs.push_back(spawn(sleeper(10ms, 1, log, t0)));
        hs.push_back(spawn(sleeper(3600'000ms, 5, log, t0)));
        hs.push_back(spawn(sleeper(20ms, 2, log, t0)));
        hs.push_back(spawn(sleeper(10ms, 11, log, t0)));  // same deadline: after id 1
        hs.push_back(spawn(sleeper(65ms, 4, log, t0)));   // level 1 of the wheel
        for (auto& h : hs) co_await h;
        const std::vector<std::pair<int, nanoseconds>> expected = {
            {1, 10ms}, {11, 10ms}, {2, 20ms}, {3, 30ms}, {4, 65ms}, {5, 3600'000ms}};
        CHECK(log == expected);
    }());
}

TEST_CASE("sleep_until completes exactly at the deadline; a passed one at once", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        co_await wt::sleep_until(t0 + 250ms);
        CHECK(wt::now() - t0 == 250ms);
        const auto filed = time_handle().registrations();
        co_await wt::sleep_until(t0);  // already passed: no timer
        co_await wt::sleep(0ms);
        CHECK(wt::now() - t0 == 250ms);
        CHECK(time_handle().registrations() - filed <= 1);  // sleep(0) may wait one tick
    }());
}

TEST_CASE("Sleep::reset moves a pending sleep earlier or later", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        {  // later: filed for 100 ms, moved to 200 ms
            auto s = wt::sleep(100ms);
            auto r = co_await wt::timeout(10ms, s);  // s is filed now
            CHECK(r.is_elapsed());
            s.reset(t0 + 200ms);
            CHECK(s.deadline() == t0 + 200ms);
            co_await s;
            CHECK(wt::now() - t0 == 200ms);
            CHECK(s.is_elapsed());
        }
        const wt::Instant t1 = wt::now();
        {  // earlier: filed for 1 s, moved to 30 ms
            auto s = wt::sleep(1000ms);
            auto r = co_await wt::timeout(10ms, s);
            CHECK(r.is_elapsed());
            s.reset(t1 + 30ms);
            co_await s;
            CHECK(wt::now() - t1 == 30ms);
        }
        {  // a completed sleep can be reset and awaited again
            auto s = wt::sleep(5ms);
            co_await s;
            s.reset(wt::now() + 7ms);
            CHECK_FALSE(s.is_elapsed());
            const wt::Instant t2 = wt::now();
            co_await s;
            CHECK(wt::now() - t2 == 7ms);
        }
        {  // reset to a passed deadline wakes the waiting task at once
            auto s = wt::sleep(500ms);
            auto r = co_await wt::timeout(1ms, s);
            CHECK(r.is_elapsed());
            const wt::Instant t3 = wt::now();
            s.reset(t3 - 1ms);
            co_await s;
            CHECK(wt::now() == t3);
        }
    }());
}

TEST_CASE("a dropped sleep never fires and leaves no timer behind", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        std::atomic<int> wakes{0};
        Context cx(weft::test::CountingWaker::ref(wakes));
        {
            auto s = wt::sleep(50ms);
            CHECK_FALSE(s.poll(cx));  // filed with the counting waker
            CHECK(time_handle().active() == 1);
        }
        CHECK(time_handle().active() == 0);
        co_await wt::sleep(200ms);
        CHECK(wakes.load() == 0);
        CHECK(time_handle().active() == 0);
    }());
}

TEST_CASE("a moved sleep keeps its deadline and the source is unfiled", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        std::atomic<int> wakes{0};
        Context cx(weft::test::CountingWaker::ref(wakes));
        auto a = wt::sleep(40ms);
        CHECK_FALSE(a.poll(cx));
        wt::Sleep b(std::move(a));
        CHECK(time_handle().active() == 0);
        co_await b;
        CHECK(wt::now() - t0 == 40ms);
        CHECK(wakes.load() == 0);
    }());
}

TEST_CASE("100,000 concurrent sleeps on the paused clock each wake at their deadline",
          "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    int late = rt.block_on([]() -> Task<int> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        std::atomic<int> wrong{0};
        std::vector<JoinHandle<void>> hs;
        hs.reserve(100'000);
        for (int i = 0; i < 100'000; ++i) {
            // Spread over every level of the wheel, up to ~8.7 minutes.
            const milliseconds d(1 + (static_cast<std::uint64_t>(i) * 2654435761u) % 524'288);
            hs.push_back(
                spawn([](milliseconds d, wt::Instant t0, std::atomic<int>& wrong) -> Task<void> {
                    co_await wt::sleep(d);
                    if (wt::now() - t0 != d) wrong.fetch_add(1);
                }(d, t0, wrong)));
        }
        for (auto& h : hs) co_await h;
        co_return wrong.load();
    }());
    CHECK(late == 0);
}

TEST_CASE("100,000 concurrent short sleeps complete on the real clock", "[time][sleep]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> done{0};
    auto start = std::chrono::steady_clock::now();
    rt.block_on([](std::atomic<int>& done) -> Task<void> {
        std::vector<JoinHandle<void>> hs;
        hs.reserve(100'000);
        for (int i = 0; i < 100'000; ++i) {
            hs.push_back(spawn([](int i, std::atomic<int>& done) -> Task<void> {
                const wt::Instant t0 = wt::now();
                const milliseconds d(1 + i % 5);
                co_await wt::sleep(d);
                // (no CHECK here: Catch2 assertions are not thread-safe, and these tasks
                // run on two workers at once)
                if (wt::now() - t0 >= d) done.fetch_add(1);
            }(i, done)));
        }
        for (auto& h : hs) co_await h;
    }(done));
    CHECK(done.load() == 100'000);
    CHECK(std::chrono::steady_clock::now() - start < 30s);
}

TEST_CASE("polling a sleep consumes coop budget", "[time][sleep]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        auto s = wt::sleep(0ms);
        co_await s;
        for (int i = 0; i < 1000; ++i) co_await s;  // ready every time, but budgeted
    }());
    CHECK(rt.metrics().workers.at(0).budget_forced_yields > 0);
}

TEST_CASE("sleep outside a runtime throws std::logic_error", "[time][sleep]") {
    CHECK_THROWS_AS(wt::sleep(1ms), std::logic_error);
    CHECK_THROWS_AS(wt::interval(1ms), std::logic_error);
}

TEST_CASE("sleep(0) and deadlines already passed complete without waiting for a timer tick",
          "[time][sleep]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        // One tick is 1 ms: waiting for a tick each would take over a second.
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 1000; ++i) co_await wt::sleep(0ms);
        for (int i = 0; i < 1000; ++i) co_await wt::sleep_until(wt::now() - 1ms);
        CHECK(std::chrono::steady_clock::now() - start < 1s);

        // A filed Sleep reset to a passed deadline completes at once too.
        auto s = wt::sleep(1h);
        auto waiter = spawn([](wt::Sleep& s) -> Task<void> { co_await s; }(s));
        co_await yield_now();
        const auto reset_at = std::chrono::steady_clock::now();
        s.reset(wt::now() - 1ms);
        co_await waiter;
        CHECK(std::chrono::steady_clock::now() - reset_at < 1s);
    }());
}
