// Specification of Handle::block_on, the enter guard (Runtime::enter, Handle::enter) and
// Runtime::shutdown_background.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/runtime.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;

namespace {
Task<int> slept_value(int v) {
    co_await time::sleep(2ms);
    co_return v;
}
Task<int> failing() {
    co_await yield_now();
    throw std::runtime_error("boom");
}
}  // namespace

TEST_CASE("Handle::block_on runs a task to completion from a thread outside the runtime",
          "[runtime][handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    Handle handle = rt.handle();
    int from_thread = 0;
    std::thread other([&] { from_thread = handle.block_on(slept_value(7)); });
    other.join();
    CHECK(from_thread == 7);
    CHECK(handle.block_on(slept_value(8)) == 8);
    CHECK_THROWS_WITH(handle.block_on(failing()), "boom");  // the task's exception, rethrown
}

TEST_CASE("Handle::block_on refuses a runtime thread", "[runtime][handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::string message;
        try {
            (void)Handle::current().block_on(slept_value(1));
        } catch (const std::logic_error& e) {
            message = e.what();
        }
        CHECK_THAT(message,
                   Catch::Contains("Handle::block_on") && Catch::Contains("runtime thread"));
        co_return;
    }());
}

TEST_CASE("an enter guard makes the runtime current on a thread outside it, and nests",
          "[runtime][handle]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    auto other_rt = weft::test::make_runtime(Flavor::multi_thread);
    CHECK_FALSE(Handle::try_current());
    CHECK_THROWS_AS(spawn(slept_value(1)), std::logic_error);
    JoinHandle<int> joined;
    {
        auto guard = rt.enter();
        REQUIRE(Handle::try_current());
        joined = spawn(slept_value(3));  // spawned onto `rt` from a plain thread
        auto sleep = time::sleep(1ms);   // timers find the runtime too
        (void)sleep;
        {
            auto inner = other_rt.handle().enter();
            auto h = spawn(slept_value(4));
            CHECK(other_rt.block_on([](JoinHandle<int> h) -> Task<int> {
                co_return co_await h;
            }(std::move(h))) == 4);
        }
        // The outer guard's runtime is current again.
        CHECK(rt.block_on([](JoinHandle<int> h) -> Task<int> {
            co_return co_await h;
        }(std::move(joined))) == 3);
    }
    CHECK_FALSE(Handle::try_current());
}

TEST_CASE("shutdown_background cancels the tasks without waiting for blocking work",
          "[runtime][handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    // Shared with the blocking job, which outlives this test's frame: it is abandoned.
    auto release = std::make_shared<std::atomic<bool>>(false);
    std::atomic<int> live{0};
    auto blocking =
        rt.block_on([](std::shared_ptr<std::atomic<bool>> release) -> Task<BlockingHandle<int>> {
            auto job = spawn_blocking([release] {
                while (!release->load()) std::this_thread::sleep_for(1ms);
                return 1;
            });
            co_return job;
        }(release));
    auto sleeper = rt.spawn([](std::atomic<int>& live) -> Task<void> {
        weft::test::DropCounter guard(live);
        co_await time::sleep(10s);
    }(live));
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        while (live.load() == 0) co_await yield_now();
    }(live));
    const auto start = std::chrono::steady_clock::now();
    rt.shutdown_background();  // the blocking job still runs: it is not waited for
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(live == 0);  // the sleeping task was cancelled, its destructors ran
    *release = true;
    (void)blocking;
    (void)sleeper;
}
