// Stress tests of the task system: many spawns from many threads, wake races, abort races.
// Sized to take about a second each in RelWithDebInfo and to stay practical under TSan.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "probes.hpp"
#include "sanitizers.hpp"
#include "support.hpp"

using namespace weft;
using weft::test::DropCounter;
using weft::test::Flag;

namespace {

constexpr int kScale = weft::test::kThreadSanitizer || weft::test::kAddressSanitizer ? 10 : 1;

Task<void> bump(std::atomic<long>& n) {
    n.fetch_add(1, std::memory_order_relaxed);
    co_return;
}

}  // namespace

TEST_CASE("a million spawns from inside and outside the runtime all run once", "[stress]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    const long per_thread = 250'000 / kScale;
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<long> ran{0};
    std::vector<std::thread> outside;
    for (int i = 0; i < 2; ++i)
        outside.emplace_back([&] {
            for (long j = 0; j < per_thread; ++j) rt.handle().spawn(bump(ran)).detach();
        });
    rt.block_on([](std::atomic<long>& ran, long n) -> Task<void> {
        for (long j = 0; j < 2 * n; ++j) spawn(bump(ran)).detach();
        co_return;
    }(ran, per_thread));
    for (auto& t : outside) t.join();
    rt.block_on([](std::atomic<long>& ran, long total) -> Task<void> {
        while (ran.load() < total) co_await yield_now();
    }(ran, 4 * per_thread));
    CHECK(ran.load() == 4 * per_thread);
}

TEST_CASE("wakes from other threads racing with the task's own poll are never lost", "[stress]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    static constexpr int rounds = 20'000 / kScale;
    auto rt = weft::test::make_runtime(flavor);
    auto flag = std::make_shared<Flag>();
    auto ack = std::make_shared<Flag>();
    std::thread waker([flag, ack] {
        for (int i = 0; i < rounds; ++i) {
            flag->set();
            while (!ack->is_set()) std::this_thread::yield();
            ack->reset();
        }
    });
    int got = rt.block_on(
        [](std::shared_ptr<Flag> flag, std::shared_ptr<Flag> ack, int rounds) -> Task<int> {
            int n = 0;
            for (int i = 0; i < rounds; ++i) {
                co_await flag->wait();
                flag->reset();
                ++n;
                ack->set();
            }
            co_return n;
        }(flag, ack, rounds));
    waker.join();
    CHECK(got == rounds);
}

TEST_CASE("abort racing completion gives a value or cancelled, and leaks nothing", "[stress]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    const int tasks = 20'000 / kScale;
    std::atomic<int> live{0};
    int values = 0, cancelled = 0;
    {
        auto rt = weft::test::make_runtime(flavor);
        std::vector<JoinHandle<int>> handles;
        for (int i = 0; i < tasks; ++i)
            handles.push_back(rt.handle().spawn([](std::atomic<int>& live, int i) -> Task<int> {
                DropCounter guard(live);
                if (i % 2) co_await yield_now();
                co_return i;
            }(live, i)));
        std::thread aborter([&] {
            for (auto& h : handles) h.abort();
        });
        aborter.join();
        rt.block_on(
            [](std::vector<JoinHandle<int>>& hs, int& values, int& cancelled) -> Task<void> {
                for (auto& h : hs) {
                    try {
                        co_await h;
                        ++values;
                    } catch (const JoinError& e) {
                        if (e.is_cancelled()) ++cancelled;
                    }
                }
            }(handles, values, cancelled));
    }
    CHECK(values + cancelled == tasks);
    CHECK(live.load() == 0);
}

TEST_CASE("runtimes built and dropped in a loop with pending tasks leak nothing",
          "[stress][shutdown]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    std::atomic<int> live{0};
    for (int i = 0; i < 50; ++i) {
        auto rt = weft::test::make_runtime(flavor);
        auto flag = std::make_shared<Flag>();
        for (int j = 0; j < 20; ++j)
            rt.handle()
                .spawn([](std::atomic<int>& live, std::shared_ptr<Flag> f) -> Task<void> {
                    DropCounter guard(live);
                    co_await f->wait();
                }(live, flag))
                .detach();
    }
    CHECK(live.load() == 0);
}
