// Specification of the libuv driver: idle runtimes sleep in epoll, timers wake parked workers,
// registrations from other threads unpark the driver, and shutdown releases every resource.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;

namespace {

// CPU time of the whole process (every thread), user + system.
std::chrono::microseconds process_cpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto us = [](const timeval& t) {
        return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
    };
    return std::chrono::duration_cast<std::chrono::microseconds>(us(u.ru_utime) + us(u.ru_stime));
}

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

}  // namespace

TEST_CASE("an idle multi_thread runtime uses no CPU", "[driver]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).build();
    // Let the workers reach their parked state first.
    rt.block_on([]() -> Task<void> { co_await wt::sleep(20ms); }());
    const auto cpu0 = process_cpu();
    const auto wall0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(1s);
    const auto cpu = process_cpu() - cpu0;
    const auto wall = std::chrono::steady_clock::now() - wall0;
    INFO("CPU " << cpu.count() << " us over "
                << std::chrono::duration_cast<std::chrono::milliseconds>(wall).count() << " ms");
    CHECK(cpu < wall / 20);  // < 5% of one core: it sleeps in epoll
}

TEST_CASE("an idle current_thread runtime parked in block_on uses no CPU", "[driver]") {
    auto rt = Builder::new_current_thread().build();
    const auto cpu0 = process_cpu();
    const auto wall0 = std::chrono::steady_clock::now();
    rt.block_on([]() -> Task<void> { co_await wt::sleep(1s); }());
    const auto cpu = process_cpu() - cpu0;
    const auto wall = std::chrono::steady_clock::now() - wall0;
    CHECK(wall >= 1s);
    CHECK(cpu < wall / 20);
}

TEST_CASE("timers wake a parked runtime on the real clock", "[driver]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    const auto start = std::chrono::steady_clock::now();
    rt.block_on([]() -> Task<void> {
        co_await wt::sleep(30ms);
        co_await wt::sleep(1ms);
    }());
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 31ms);
    CHECK(took < 2s);
}

TEST_CASE("an earlier timer filed while the driver sleeps for a later one unparks it", "[driver]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).build();
    // One task keeps the driver asleep until an hour from now.
    auto hour = rt.spawn([]() -> Task<void> { co_await wt::sleep(1h); }());
    std::this_thread::sleep_for(50ms);  // the workers park, one of them in the driver
    const auto start = std::chrono::steady_clock::now();
    // Filed from a worker while the other one sleeps in epoll for an hour.
    rt.block_on([]() -> Task<void> { co_await wt::sleep(20ms); }());
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 20ms);
    CHECK(took < 2s);
    hour.abort();
}

TEST_CASE("a wake from another thread unparks a runtime sleeping in epoll", "[driver]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    const auto start = std::chrono::steady_clock::now();
    // No timer is filed: the driver blocks in epoll until the blocking thread's wake.
    rt.block_on([]() -> Task<void> {
        co_await spawn_blocking([] { std::this_thread::sleep_for(50ms); });
    }());
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 50ms);
    CHECK(took < 5s);
}

TEST_CASE("shutdown closes the loop: building and dropping runtimes leaks no descriptor",
          "[driver]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    { auto warm = weft::test::make_runtime(flavor); }
    const std::size_t before = open_fds();
    for (int i = 0; i < 20; ++i) {
        auto rt = weft::test::make_runtime(flavor);
        rt.block_on([]() -> Task<void> {
            co_await wt::sleep(1ms);
            auto pending = wt::sleep(1h);  // still filed when the runtime goes
            (void)co_await wt::timeout(1ms, pending);
        }());
    }
    CHECK(open_fds() == before);
}

TEST_CASE("timers still filed at shutdown are dropped with their tasks", "[driver]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    std::atomic<int> live{0};
    {
        auto rt = weft::test::make_runtime(flavor);
        rt.block_on([](std::atomic<int>& live) -> Task<void> {
            for (int i = 0; i < 100; ++i) {
                spawn([](std::atomic<int>& live, int i) -> Task<void> {
                    weft::test::DropCounter guard(live);
                    co_await wt::sleep(std::chrono::seconds(10 + i));
                }(live, i))
                    .detach();
            }
            co_await wt::sleep(10ms);
        }(live));
    }
    CHECK(live.load() == 0);
}
