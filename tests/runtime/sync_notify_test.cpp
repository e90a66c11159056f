// Specification of weft::sync::Notify: permits, notify_waiters, enable(), FIFO order, moves,
// cancellation passing notifications on, coop budget. Every case runs on both flavors.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <vector>

#include "runtime/sync/notify.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::Notified;
using weft::sync::Notify;

namespace {

Task<void> yield_until(const std::atomic<bool>& flag) {
    while (!flag.load()) co_await yield_now();
}

}  // namespace

TEST_CASE("notify_one with nobody waiting stores exactly one permit", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        notify.notify_one();
        notify.notify_one();  // still one permit
        co_await notify.notified();
        auto second = notify.notified();
        CHECK_FALSE(second.enable());
        notify.notify_one();
        CHECK(second.enable());
        co_await second;
    }());
}

TEST_CASE("a Notified takes a permit stored before it was created or after", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto n = notify.notified();
        notify.notify_one();  // stored: n is not registered yet
        co_await n;
    }());
}

TEST_CASE("notify_one wakes a waiting task", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        std::atomic<bool> registered{false};
        auto waiter = spawn([](Notify& n, std::atomic<bool>& reg) -> Task<int> {
            auto notified = n.notified();
            notified.enable();
            reg.store(true);
            co_await notified;
            co_return 7;
        }(notify, registered));
        co_await yield_until(registered);
        notify.notify_one();
        int v = co_await waiter;
        CHECK(v == 7);
    }());
}

TEST_CASE("notify_one serves enabled waiters in FIFO order", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto a = notify.notified();
        auto b = notify.notified();
        auto c = notify.notified();
        CHECK_FALSE(a.enable());
        CHECK_FALSE(b.enable());
        CHECK_FALSE(c.enable());
        notify.notify_one();
        CHECK(a.enable());
        CHECK_FALSE(b.enable());
        CHECK_FALSE(c.enable());
        notify.notify_one();
        CHECK(b.enable());
        CHECK_FALSE(c.enable());
        notify.notify_one();
        CHECK(c.enable());
        co_await a;
        co_await b;
        co_await c;
        // Every notification went to a waiter: no permit is left.
        auto d = notify.notified();
        CHECK_FALSE(d.enable());
    }());
}

TEST_CASE("notify_waiters wakes every registered waiter and stores no permit", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        constexpr int kWaiters = 40;  // more than one wake batch
        std::atomic<int> registered{0};
        std::vector<JoinHandle<void>> handles;
        for (int i = 0; i < kWaiters; ++i) {
            handles.push_back(spawn([](Notify& n, std::atomic<int>& reg) -> Task<void> {
                auto notified = n.notified();
                notified.enable();
                reg.fetch_add(1);
                co_await notified;
            }(notify, registered)));
        }
        while (registered.load() < kWaiters) co_await yield_now();
        notify.notify_waiters();
        for (auto& h : handles) co_await h;
        auto after = notify.notified();
        CHECK_FALSE(after.enable());
    }());
}

TEST_CASE("notify_waiters completes Notified futures created before it, even unpolled",
          "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto before1 = notify.notified();
        auto before2 = notify.notified();
        notify.notify_waiters();
        auto after = notify.notified();
        co_await before1;
        CHECK(before2.enable());
        CHECK_FALSE(after.enable());
    }());
}

TEST_CASE("notify_waiters keeps a permit stored by notify_one", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        notify.notify_one();
        notify.notify_waiters();
        auto n = notify.notified();
        CHECK(n.enable());  // the permit
        auto m = notify.notified();
        CHECK_FALSE(m.enable());
        co_return;
    }());
}

TEST_CASE("a Notified created before notify_waiters leaves the permit of a later notify_one",
          "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto before = notify.notified();
        notify.notify_waiters();
        notify.notify_one();
        co_await before;  // completed by notify_waiters...
        auto next = notify.notified();
        CHECK(next.enable());  // ...so the permit is still there for another waiter
        auto last = notify.notified();
        CHECK_FALSE(last.enable());
    }());
}

TEST_CASE("a dropped Notified picked by notify_one passes the notification on", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        {
            auto second = notify.notified();
            {
                auto first = notify.notified();
                first.enable();
                second.enable();
                notify.notify_one();  // picks `first`...
            }                         // ...which is dropped without completing
            CHECK(second.enable());
        }
        // With nobody left in line, it goes back as the stored permit.
        {
            auto lone = notify.notified();
            lone.enable();
            notify.notify_one();
        }
        auto next = notify.notified();
        CHECK(next.enable());
        co_return;
    }());
}

TEST_CASE("a dropped Notified woken by notify_waiters passes nothing on", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        {
            auto a = notify.notified();
            a.enable();
            notify.notify_waiters();
        }
        auto b = notify.notified();
        CHECK_FALSE(b.enable());
        co_return;
    }());
}

TEST_CASE("a registered Notified that is moved keeps its place in line", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto a = notify.notified();
        auto b = notify.notified();
        a.enable();
        b.enable();
        Notified moved(std::move(a));
        notify.notify_one();
        CHECK(moved.enable());
        CHECK_FALSE(b.enable());
        co_await std::move(moved);
        notify.notify_one();
        co_await b;
    }());
}

TEST_CASE("aborting a task waiting on a Notify loses no notify_one notification",
          "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        std::atomic<int> registered{0};
        auto waiter = [](Notify& n, std::atomic<int>& reg) -> Task<void> {
            auto notified = n.notified();
            notified.enable();
            reg.fetch_add(1);
            co_await notified;
        };
        auto first = spawn(waiter(notify, registered));
        auto second = spawn(waiter(notify, registered));
        while (registered.load() < 2) co_await yield_now();
        first.abort();
        notify.notify_one();
        bool first_completed = true;
        try {
            co_await first;
        } catch (const JoinError& e) {
            CHECK(e.is_cancelled());
            first_completed = false;
        }
        // Either the first waiter consumed the notification before it was cancelled, or it was
        // handed on to the second one. Never both, never neither.
        if (first_completed) notify.notify_one();
        co_await second;
        auto after = notify.notified();
        CHECK_FALSE(after.enable());
    }());
}

TEST_CASE("polling a Notified spends coop budget", "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool other_ran_first = rt.block_on([]() -> Task<bool> {
        Notify notify;
        std::atomic<bool> ran{false};
        auto other = spawn([](std::atomic<bool>& r) -> Task<void> {
            r.store(true);
            co_return;
        }(ran));
        bool seen = false;
        // Always ready (a permit each time): only the budget makes this loop yield.
        for (int i = 0; i < 10'000 && !seen; ++i) {
            notify.notify_one();
            co_await notify.notified();
            seen = ran.load();
        }
        co_await other;
        co_return seen;
    }());
    CHECK(other_ran_first);
}

TEST_CASE("notify_last wakes the most recently registered waiter, else stores the permit",
          "[sync][notify]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Notify notify;
        auto first = notify.notified();
        auto second = notify.notified();
        auto third = notify.notified();
        CHECK_FALSE(first.enable());
        CHECK_FALSE(second.enable());
        CHECK_FALSE(third.enable());
        notify.notify_last();
        CHECK(third.enable());
        CHECK_FALSE(first.enable());
        CHECK_FALSE(second.enable());
        notify.notify_last();
        CHECK(second.enable());
        notify.notify_one();
        CHECK(first.enable());
        // Nobody waiting: one permit, as notify_one.
        notify.notify_last();
        notify.notify_last();
        auto a = notify.notified();
        CHECK(a.enable());
        auto b = notify.notified();
        CHECK_FALSE(b.enable());
        co_return;
    }());
}
