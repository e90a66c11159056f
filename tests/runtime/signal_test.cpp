// Specification of signal listeners: real signals sent to the process, on both flavors.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "runtime/signal/signal.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;

namespace {

Task<int> count_deliveries(signal::Signal& s, int want) {
    int n = 0;
    while (n < want) {
        // (not `n < want && co_await ...`: GCC 12 miscompiles co_await in a short-circuit)
        const bool delivered = co_await s.recv();
        if (!delivered) break;
        ++n;
    }
    co_return n;
}

}  // namespace

TEST_CASE("a signal sent to the process reaches every listener", "[signal]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto got = rt.block_on([]() -> Task<std::pair<int, int>> {
        auto a = signal::signal(SIGUSR1);
        auto b = signal::signal(SIGUSR1);
        CHECK(a.signum() == SIGUSR1);
        auto ja = spawn(count_deliveries(a, 2));
        auto jb = spawn(count_deliveries(b, 2));
        for (int i = 0; i < 2; ++i) {
            co_await wt::sleep(20ms);  // the listeners are waiting in recv()
            kill(getpid(), SIGUSR1);
        }
        auto r = co_await wt::timeout(10s, std::move(ja));
        auto s = co_await wt::timeout(10s, std::move(jb));
        co_return std::pair<int, int>{r ? *r : -1, s ? *s : -1};
    }());
    CHECK(got.first == 2);
    CHECK(got.second == 2);
}

TEST_CASE("a signal raised before recv() is awaited is not lost", "[signal]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool delivered = rt.block_on([]() -> Task<bool> {
        auto s = signal::signal(SIGUSR2);
        raise(SIGUSR2);  // right after signal() returned: must neither kill us nor be missed
        auto r = co_await wt::timeout(10s, s.recv());
        co_return r.has_value() && *r;
    }());
    CHECK(delivered);
}

TEST_CASE("listeners on two runtimes each see the delivery", "[signal]") {
    auto rt1 = Builder::new_current_thread().build();
    auto rt2 = Builder::new_multi_thread().worker_threads(2).build();
    std::atomic<int> seen{0};
    auto listen = [](std::atomic<int>& seen) -> Task<void> {
        auto s = signal::signal(SIGHUP);
        auto r = co_await wt::timeout(10s, s.recv());
        if (r) seen.fetch_add(1);
    };
    auto j2 = rt2.spawn(listen(seen));
    std::thread t1([&] { rt1.block_on(listen(seen)); });
    std::this_thread::sleep_for(100ms);  // both listeners registered
    kill(getpid(), SIGHUP);
    t1.join();
    rt2.block_on([](JoinHandle<void> j) -> Task<void> { co_await j; }(std::move(j2)));
    CHECK(seen.load() == 2);
}

TEST_CASE("ctrl_c completes on SIGINT", "[signal]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool done = rt.block_on([]() -> Task<bool> {
        auto c = signal::ctrl_c();
        auto killer = spawn([]() -> Task<void> {
            co_await wt::sleep(10ms);
            kill(getpid(), SIGINT);
        }());
        auto r = co_await wt::timeout(10s, std::move(c));
        co_await killer;
        co_return r.has_value();
    }());
    CHECK(done);
}

TEST_CASE("a dropped listener is deregistered; the others still receive", "[signal]") {
    auto rt = Builder::new_current_thread().build();
    int n = rt.block_on([]() -> Task<int> {
        auto kept = signal::signal(SIGUSR1);
        { auto dropped = signal::signal(SIGUSR1); }
        {
            auto moved_from = signal::signal(SIGUSR1);
            auto moved = std::move(moved_from);
        }
        kill(getpid(), SIGUSR1);
        auto r = co_await wt::timeout(10s, kept.recv());
        co_return r.has_value() ? 1 : 0;
    }());
    CHECK(n == 1);
}

TEST_CASE("a listener may outlive its runtime and be dropped later", "[signal]") {
    std::optional<signal::Signal> outlives;
    {
        auto rt = Builder::new_current_thread().build();
        rt.block_on([](std::optional<signal::Signal>& out) -> Task<void> {
            out.emplace(signal::signal(SIGUSR2));
            co_return;
        }(outlives));
    }
    // The listener outlived its runtime: dropping it later is safe.
    outlives.reset();
    SUCCEED();
}

TEST_CASE("uncatchable or forbidden signals are refused", "[signal]") {
    auto rt = Builder::new_current_thread().build();
    rt.block_on([]() -> Task<void> {
        CHECK_THROWS_AS(signal::signal(SIGKILL), std::invalid_argument);
        CHECK_THROWS_AS(signal::signal(SIGSTOP), std::invalid_argument);
        CHECK_THROWS_AS(signal::signal(SIGSEGV), std::invalid_argument);
        CHECK_THROWS_AS(signal::signal(0), std::invalid_argument);
        CHECK_THROWS_AS(signal::signal(100000), std::invalid_argument);
        co_return;
    }());
    CHECK_THROWS_AS(signal::signal(SIGUSR1), std::logic_error);  // outside a runtime
}
