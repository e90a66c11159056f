// Specification of timeout and timeout_at, on the paused clock (current_thread runtime).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "runtime/sync/notify.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;
using weft::test::DropCounter;

namespace {

// An awaitable that is ready at once with a value (Rust's std::future::ready).
template <class T>
class Ready : public Pollable<Ready<T>> {
   public:
    explicit Ready(T v) : v_(std::move(v)) {}
    bool poll(Context&) noexcept { return true; }
    T await_resume() { return std::move(v_); }

   private:
    T v_;
};

wt::detail::TimeHandle& time_handle() { return *wt::detail::try_current_time_handle(); }

Task<int> slow_value(std::chrono::milliseconds d, int v) {
    co_await wt::sleep(d);
    co_return v;
}

Task<int> guarded_forever(std::atomic<int>& live) {
    DropCounter guard(live);
    co_await wt::sleep(24h);
    co_return 0;
}

// Loops over an always-ready operation (a Notify handing itself a permit), so every poll of the
// task spends its whole coop budget, until `limit` of real time passed; gives the iterations.
Task<long> busy_until(std::chrono::steady_clock::duration limit) {
    weft::sync::Notify notify;
    const auto end = std::chrono::steady_clock::now() + limit;
    long n = 0;
    while (std::chrono::steady_clock::now() < end) {
        notify.notify_one();
        co_await notify.notified();
        ++n;
    }
    co_return n;
}

Task<void> fails_after(std::chrono::milliseconds d) {
    co_await wt::sleep(d);
    throw std::runtime_error("inner failed");
}

}  // namespace

TEST_CASE("timeout gives the value when the awaitable finishes first", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto r = co_await wt::timeout(100ms, slow_value(40ms, 7));
        REQUIRE(r.has_value());
        CHECK(*r == 7);
        CHECK(r.value() == 7);
        CHECK(wt::now() - t0 == 40ms);
        CHECK(time_handle().active() == 0);  // the timeout's timer was unlinked
    }());
}

TEST_CASE("timeout elapses at exactly its deadline and drops the inner task", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto r = co_await wt::timeout(30ms, guarded_forever(live));
        CHECK(r.is_elapsed());
        CHECK_FALSE(r);
        CHECK_THROWS_AS(r.value(), wt::Elapsed);
        CHECK_THROWS_WITH(r.value(), "deadline has elapsed");
        CHECK(wt::now() - t0 == 30ms);
        CHECK(live.load() == 0);  // the Task was destroyed with the Timeout
    }(live));
}

TEST_CASE("timeout of a sleep gives a TimeoutResult<void>", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto ok = co_await wt::timeout(20ms, wt::sleep(10ms));
        CHECK(ok.has_value());
        auto late = co_await wt::timeout(20ms, wt::sleep(50ms));
        CHECK(late.is_elapsed());
        CHECK_THROWS_AS(late.value(), wt::Elapsed);
        CHECK(wt::now() - t0 == 30ms);
    }());
}

TEST_CASE("timeout_at elapses at its fixed deadline", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        auto t = wt::timeout_at(t0 + 25ms, slow_value(1s, 1));
        CHECK(t.deadline() == t0 + 25ms);
        auto r = co_await std::move(t);
        CHECK(r.is_elapsed());
        CHECK(wt::now() - t0 == 25ms);
        auto r2 = co_await wt::timeout_at(t0 + 100ms, slow_value(10ms, 5));
        CHECK(r2.value() == 5);
    }());
}

TEST_CASE("timeout of an already-ready awaitable files no timer", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        const auto filed = time_handle().registrations();
        long sum = 0;
        for (int i = 0; i < 10'000; ++i) {
            auto r = co_await wt::timeout(1s, Ready<int>(i));
            sum += r.value();
        }
        CHECK(sum == 10'000L * 9'999 / 2);
        CHECK(time_handle().registrations() == filed);
        CHECK(time_handle().active() == 0);
    }());
}

TEST_CASE("timeout of a JoinHandle lvalue leaves it usable after an elapse", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        auto h = spawn(slow_value(50ms, 99));
        auto r = co_await wt::timeout(10ms, h);
        CHECK(r.is_elapsed());
        CHECK(h.valid());
        const int v = co_await h;
        CHECK(v == 99);
    }());
}

TEST_CASE("an exception of the inner awaitable propagates through timeout", "[time][timeout]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        bool caught = false;
        try {
            (void)co_await wt::timeout(1s, spawn(fails_after(5ms)));
        } catch (const JoinError& e) {
            caught = e.is_failed();
        }
        CHECK(caught);
        bool caught_inline = false;
        try {
            (void)co_await wt::timeout(1s, fails_after(5ms));
        } catch (const std::runtime_error& e) {
            caught_inline = std::string(e.what()) == "inner failed";
        }
        CHECK(caught_inline);
    }());
}

TEST_CASE("timeouts work on the real clock on both flavors", "[time][timeout]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        const wt::Instant t0 = wt::now();
        auto r = co_await wt::timeout(20ms, slow_value(10s, 1));
        CHECK(r.is_elapsed());
        CHECK(wt::now() - t0 >= 20ms);
        auto r2 = co_await wt::timeout(10s, slow_value(5ms, 2));
        CHECK(r2.value() == 2);
    }());
}

TEST_CASE("timeout fires when the inner work spends the whole coop budget on every poll",
          "[time][timeout]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        // Without the fix the deadline is never checked and the loop runs its 20 s to the end.
        const auto t0 = std::chrono::steady_clock::now();
        auto r = co_await wt::timeout(20ms, busy_until(20s));
        CHECK(r.is_elapsed());
        CHECK(std::chrono::steady_clock::now() - t0 < 15s);
        // The same for a fixed deadline.
        auto r2 = co_await wt::timeout_at(wt::now() + 20ms, busy_until(20s));
        CHECK(r2.is_elapsed());
    }());
}
