// Specification of weft::JoinSet: completion order, empty set, errors of failed and aborted
// tasks, abort_all, aborting on destruction, shutdown, len, a dropped join_next, coop budget.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <vector>

#include "runtime/sync/oneshot.hpp"
#include "runtime/task/join_set.hpp"
#include "runtime/time/timeout.hpp"
#include "support.hpp"

using namespace weft;
namespace oneshot = weft::sync::oneshot;

namespace {

Task<int> wait_then(oneshot::Receiver<int> rx_, int v) {
    auto rx = std::move(rx_);
    (void)co_await rx;
    co_return v;
}

Task<int> forever(std::atomic<int>& live) {
    weft::test::DropCounter guard(live);
    for (;;) co_await yield_now();
}

}  // namespace

TEST_CASE("join set yields results in completion order, then nullopt", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        JoinSet<int> set;
        std::vector<oneshot::Sender<int>> gates;
        for (int i = 0; i < 3; ++i) {
            auto [tx, rx] = oneshot::channel<int>();
            gates.push_back(std::move(tx));
            set.spawn(wait_then(std::move(rx), i));
        }
        CHECK(set.len() == 3);
        for (int i : {2, 0, 1}) {
            (void)gates[i].send(0);
            auto r = co_await set.join_next();
            REQUIRE(r.has_value());
            REQUIRE(r->is_ok());
            CHECK(**r == i);
        }
        CHECK(set.is_empty());
        auto none = co_await set.join_next();
        CHECK_FALSE(none.has_value());
    }());
}

TEST_CASE("join set reports failed and aborted tasks as JoinError", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        JoinSet<int> set;
        set.spawn([]() -> Task<int> {
            throw std::runtime_error("boom");
            co_return 0;
        }());
        set.spawn(forever(live));
        auto failed = co_await set.join_next();
        REQUIRE(failed.has_value());
        REQUIRE(failed->is_err());
        CHECK(failed->error().is_failed());
        set.abort_all();
        auto aborted = co_await set.join_next();
        REQUIRE(aborted.has_value());
        REQUIRE(aborted->is_err());
        CHECK(aborted->error().is_cancelled());
        CHECK(live.load() == 0);
        auto none = co_await set.join_next();
        CHECK_FALSE(none.has_value());
    }());
}

TEST_CASE("destroying a join set aborts its tasks", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        {
            JoinSet<int> set;
            for (int i = 0; i < 20; ++i) set.spawn(forever(live));
            co_await yield_now();
        }
        while (live.load() != 0) co_await yield_now();
    }(live));
    CHECK(live.load() == 0);
}

TEST_CASE("join set shutdown aborts and waits for every task", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        JoinSet<int> set;
        for (int i = 0; i < 10; ++i) set.spawn(forever(live));
        co_await set.shutdown();
        CHECK(set.is_empty());
        CHECK(live.load() == 0);
    }());
}

TEST_CASE("join set of void tasks collects many results", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> ran{0};
        JoinSet<void> set;
        for (int i = 0; i < 500; ++i) {
            set.spawn([](std::atomic<int>& r) -> Task<void> {
                if (r.fetch_add(1) % 3 == 0) co_await yield_now();
            }(ran));
        }
        int joined = 0;
        while (auto r = co_await set.join_next()) {
            CHECK(r->is_ok());
            ++joined;
        }
        CHECK(joined == 500);
        CHECK(ran.load() == 500);
    }());
}

TEST_CASE("join set: a dropped join_next takes nothing", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        JoinSet<int> set;
        auto [tx, rx] = oneshot::channel<int>();
        set.spawn(wait_then(std::move(rx), 5));
        auto bounded = weft::time::timeout(std::chrono::milliseconds(20), set.join_next());
        auto first = co_await bounded;
        CHECK(first.is_elapsed());  // the join_next was dropped while pending
        CHECK(set.len() == 1);
        (void)tx.send(0);
        auto r = co_await set.join_next();
        REQUIRE(r.has_value());
        REQUIRE(r->is_ok());
        CHECK(**r == 5);
        CHECK(set.is_empty());
    }());
}

TEST_CASE("join set: join_next spends coop budget", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool other_ran = rt.block_on([]() -> Task<bool> {
        constexpr int kTasks = 2000;
        std::atomic<int> finished{0};
        JoinSet<int> set;
        for (int i = 0; i < kTasks; ++i) {
            set.spawn([](std::atomic<int>& f) -> Task<int> {
                f.fetch_add(1);
                co_return 1;
            }(finished));
        }
        while (finished.load() != kTasks) co_await yield_now();
        std::atomic<bool> ran{false};
        auto other = spawn([](std::atomic<bool>& r) -> Task<void> {
            r.store(true);
            co_return;
        }(ran));
        bool seen = false;
        int joined = 0;
        while (!seen) {
            auto r = co_await set.join_next();  // ready at once: the tasks are done
            if (!r) break;
            ++joined;
            seen = ran.load();
        }
        CHECK(joined < kTasks);
        co_await set.shutdown();
        co_await other;
        co_return seen;
    }());
    CHECK(other_ran);
}

TEST_CASE("try_join_next gives a finished task's result without waiting, else nullopt",
          "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        JoinSet<int> set;
        CHECK_FALSE(set.try_join_next().has_value());  // empty
        auto [tx, rx] = oneshot::channel<int>();
        set.spawn(wait_then(std::move(rx), 4));
        for (int i = 0; i < 10; ++i) co_await yield_now();
        CHECK_FALSE(set.try_join_next().has_value());  // not finished yet
        CHECK(set.len() == 1);
        (void)tx.send(0);
        std::optional<JoinSet<int>::Output> r;
        while (!(r = set.try_join_next())) co_await yield_now();
        REQUIRE(r->is_ok());
        CHECK(**r == 4);
        CHECK(set.is_empty());
    }());
}

TEST_CASE("detach_all empties the set and the tasks run on", "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> ran{0};
        auto [tx, rx] = oneshot::channel<int>();
        {
            JoinSet<void> set;
            set.spawn([](oneshot::Receiver<int> rx_, std::atomic<int>& ran) -> Task<void> {
                auto rx = std::move(rx_);
                (void)co_await rx;
                ran.fetch_add(1);
            }(std::move(rx), ran));
            set.detach_all();
            CHECK(set.is_empty());
            CHECK_FALSE((co_await set.join_next()).has_value());
        }  // destroying the set aborts nothing now
        (void)tx.send(1);
        while (ran.load() == 0) co_await yield_now();
        CHECK(ran.load() == 1);
    }());
}

TEST_CASE("join_all gives every value, or throws the first error and aborts the rest",
          "[sync][join_set]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        JoinSet<int> set;
        for (int i = 0; i < 5; ++i) set.spawn([](int v) -> Task<int> { co_return v* v; }(i));
        std::vector<int> values = co_await set.join_all();
        std::sort(values.begin(), values.end());
        CHECK(values == std::vector<int>{0, 1, 4, 9, 16});
        CHECK(set.is_empty());

        JoinSet<int> empty;
        CHECK((co_await empty.join_all()).empty());

        JoinSet<int> failing;
        failing.spawn(forever(live));
        failing.spawn([]() -> Task<int> {
            throw std::runtime_error("one failed");
            co_return 0;
        }());
        bool threw = false;
        try {
            (void)co_await failing.join_all();
        } catch (const JoinError& e) {
            threw = e.is_failed();
        }
        CHECK(threw);
        while (live.load() != 0) co_await yield_now();  // the endless one was aborted

        JoinSet<void> voids;
        voids.spawn([]() -> Task<void> { co_return; }());
        co_await voids.join_all();
        CHECK(voids.is_empty());
    }(live));
}
