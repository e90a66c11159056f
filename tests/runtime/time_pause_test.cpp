// Specification of the paused test clock: pause, resume, advance and auto-advance.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;

namespace {

// Fails the whole test program, naming the test, if its scope outlives `limit` (a runtime stuck
// on a hang cannot be dropped, so the test could not fail any other way than by never ending).
class HangGuard {
   public:
    HangGuard(const char* what, std::chrono::seconds limit)
        : thread_([this, what, limit] {
              std::unique_lock lock(mutex_);
              if (!cv_.wait_for(lock, limit, [&] { return done_; })) {
                  std::fprintf(stderr, "hang: %s did not finish within %lld s\n", what,
                               static_cast<long long>(limit.count()));
                  std::_Exit(1);
              }
          }) {}
    ~HangGuard() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    HangGuard(const HangGuard&) = delete;
    HangGuard& operator=(const HangGuard&) = delete;

   private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace

TEST_CASE("auto-advance: an hour-long sleep completes at once, an hour later on the clock",
          "[time][pause]") {
    auto rt = Builder::new_current_thread().build();
    const auto real_start = std::chrono::steady_clock::now();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        CHECK(wt::is_paused());
        const wt::Instant t0 = wt::now();
        co_await wt::sleep(1h);
        CHECK(wt::now() - t0 == 1h);
    }());
    CHECK(std::chrono::steady_clock::now() - real_start < 10s);
}

TEST_CASE("advance fires the timers due in the interval and no later ones", "[time][pause]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        std::atomic<int> fired{0};
        auto bump_after = [](std::chrono::milliseconds d, std::atomic<int>& f) -> Task<void> {
            co_await wt::sleep(d);
            f.fetch_add(1);
        };
        auto a = spawn(bump_after(10ms, fired));
        auto b = spawn(bump_after(20ms, fired));
        co_await yield_now();  // both sleeps are filed
        co_await wt::advance(5ms);
        CHECK(fired.load() == 0);
        co_await wt::advance(5ms);  // reaches 10 ms: `a` ran before advance returned
        CHECK(fired.load() == 1);
        CHECK(wt::now() - t0 == 10ms);
        co_await wt::advance(15ms);
        CHECK(fired.load() == 2);
        CHECK(wt::now() - t0 == 25ms);
        co_await a;
        co_await b;
    }());
}

TEST_CASE("pause and advance are refused where Tokio refuses them", "[time][pause]") {
    SECTION("multi_thread runtime") {
        auto rt = Builder::new_multi_thread().worker_threads(2).build();
        rt.block_on([]() -> Task<void> {
            CHECK_THROWS_AS(wt::pause(), std::logic_error);
            co_return;
        }());
    }
    SECTION("twice, and advance or resume while running") {
        auto rt = Builder::new_current_thread().build();
        rt.block_on([]() -> Task<void> {
            CHECK_THROWS_AS(wt::advance(1ms), std::logic_error);
            CHECK_THROWS_AS(wt::resume(), std::logic_error);
            wt::pause();
            CHECK_THROWS_AS(wt::pause(), std::logic_error);
            co_return;
        }());
    }
    SECTION("outside a runtime") {
        CHECK_THROWS_AS(wt::pause(), std::logic_error);
        CHECK_FALSE(wt::is_paused());
    }
}

TEST_CASE("resume lets time run again from the frozen instant", "[time][pause]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        co_await wt::advance(10min);
        wt::resume();
        CHECK_FALSE(wt::is_paused());
        const wt::Instant t1 = wt::now();
        CHECK(t1 - t0 >= 10min);
        CHECK(t1 - t0 < 10min + 5s);
        co_await wt::sleep(5ms);  // a real 5 ms
        CHECK(wt::now() - t1 >= 5ms);
    }());
}

TEST_CASE("each runtime has its own clock", "[time][pause]") {
    auto paused = Builder::new_current_thread().build();
    auto other = Builder::new_current_thread().build();
    paused.block_on([](Runtime& other) -> Task<void> {
        wt::pause();
        co_await wt::advance(24h);
        const auto real = std::chrono::steady_clock::now();
        wt::Instant seen;
        std::thread([&] {
            seen = other.block_on([]() -> Task<wt::Instant> { co_return wt::now(); }());
        }).join();
        CHECK(seen - real < 1h);
        CHECK(wt::now() - real > 23h);
    }(other));
}

TEST_CASE("auto-advance waits while blocking work is in flight", "[time][pause]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        std::atomic<bool> sleeper_done{false};
        auto sleeper = spawn([](std::atomic<bool>& done) -> Task<void> {
            co_await wt::sleep(1h);
            done.store(true);
        }(sleeper_done));
        // While this runs (for real), the clock must not jump to the sleeper's hour.
        co_await spawn_blocking([] { std::this_thread::sleep_for(50ms); });
        CHECK_FALSE(sleeper_done.load());
        CHECK(wt::now() == t0);
        co_await sleeper;
        CHECK(wt::now() - t0 == 1h);
    }());
}

TEST_CASE("with the paused clock, sleep(max) and sleep(max - 1 ms) complete by auto-advance",
          "[time][pause]") {
    const auto d = GENERATE(wt::Duration::max(), wt::Duration::max() - 1ms);
    HangGuard guard("sleep(max) on the paused clock", 60s);
    auto rt = Builder::new_current_thread().build();
    const auto real_start = std::chrono::steady_clock::now();
    rt.block_on([](wt::Duration d) -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        co_await wt::sleep(d);
        // The deadline saturates at the clock's end; the clock got there.
        CHECK(wt::now() - t0 > 100'000h);
    }(d));
    CHECK(std::chrono::steady_clock::now() - real_start < 30s);
}

TEST_CASE("with the paused clock, blocking work nobody awaits wakes the runtime when it finishes",
          "[time][pause]") {
    auto rt = Builder::new_current_thread().build();
    const auto real_start = std::chrono::steady_clock::now();
    rt.block_on([]() -> Task<void> {
        wt::pause();
        const wt::Instant t0 = wt::now();
        // Detached: no task waits for it, so its end wakes nothing by itself.
        spawn_blocking([] { std::this_thread::sleep_for(100ms); }).detach();
        co_await wt::sleep(15s);  // auto-advance waits for the job, then jumps
        CHECK(wt::now() - t0 == 15s);
    }());
    CHECK(std::chrono::steady_clock::now() - real_start < 10s);
}
