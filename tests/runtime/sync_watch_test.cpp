// Specification of weft::sync::watch: versions (changed, borrow_and_update, has_changed,
// subscribe, copies), sends with and without receivers, closing from either side, cancellation
// of a pending changed().
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/sync/watch.hpp"
#include "support.hpp"

using namespace weft;
namespace watch = weft::sync::watch;

TEST_CASE("watch: borrow, changed and borrow_and_update track versions", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<std::string>("a");
        CHECK(*rx.borrow() == "a");
        CHECK_FALSE(rx.borrow().has_changed());
        CHECK_FALSE(*rx.has_changed());
        CHECK(tx.send("b").is_ok());
        CHECK(*rx.has_changed());
        {
            auto r = rx.borrow();  // does not mark seen
            CHECK(*r == "b");
            CHECK(r.has_changed());
        }
        CHECK(*rx.has_changed());
        auto c = co_await rx.changed();  // an unseen version exists: immediate
        CHECK(c.is_ok());
        CHECK_FALSE(*rx.has_changed());
        tx.send_modify([](std::string& s) { s += "!"; });
        {
            auto r = rx.borrow_and_update();
            CHECK(*r == "b!");
            CHECK(r.has_changed());
        }
        CHECK_FALSE(*rx.has_changed());
        CHECK_FALSE(tx.send_if_modified([](std::string&) { return false; }));
        CHECK_FALSE(*rx.has_changed());
        CHECK(tx.send_replace("c") == "b!");
        CHECK(*tx.borrow() == "c");
    }());
}

TEST_CASE("watch: changed() waits for the next send in another task", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        auto waiter = spawn([](watch::Receiver<int> rx) -> Task<int> {
            (co_await rx.changed()).value();
            co_return *rx.borrow_and_update();
        }(rx));
        co_await yield_now();
        tx.send(5).value();
        int seen = co_await waiter;
        CHECK(seen == 5);
    }());
}

TEST_CASE("watch: subscribe starts at the current version, copies keep theirs", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        tx.send(1).value();
        auto late = tx.subscribe();
        CHECK_FALSE(*late.has_changed());
        auto copy = rx;
        CHECK(*copy.has_changed());
        CHECK(copy.same_channel(rx));
        CHECK(tx.receiver_count() == 3);
        co_return;
    }());
}

TEST_CASE("watch: send fails without receivers; send_modify still updates", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        auto closed = spawn([](watch::Sender<int>& tx) -> Task<void> { co_await tx.closed(); }(tx));
        CHECK_FALSE(tx.is_closed());
        { auto gone = std::move(rx); }
        co_await closed;
        CHECK(tx.is_closed());
        auto r = tx.send(7);
        REQUIRE(r.is_err());
        CHECK(r.error().value == 7);
        tx.send_modify([](int& v) { v = 9; });
        CHECK(*tx.borrow() == 9);
        auto again = tx.subscribe();
        CHECK(*again.borrow() == 9);
        CHECK(tx.send(10).is_ok());
    }());
}

TEST_CASE("watch: dropping the sender ends changed() after the last unseen version",
          "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        tx.send(1).value();
        { auto gone = std::move(tx); }
        CHECK(rx.has_changed().is_err());
        auto first = co_await rx.changed();  // the unseen version 1
        CHECK(first.is_ok());
        CHECK(*rx.borrow() == 1);
        auto second = co_await rx.changed();
        CHECK(second.is_err());

        auto [tx2, rx2] = watch::channel<int>(0);
        auto waiter = spawn([](watch::Receiver<int> rx) -> Task<bool> {
            auto r = co_await rx.changed();
            co_return r.is_err();
        }(rx2));
        co_await yield_now();
        { auto gone = std::move(tx2); }
        bool ended = co_await waiter;
        CHECK(ended);
    }());
}

TEST_CASE("watch: aborting a task waiting in changed() leaves the receiver's version alone",
          "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        auto waiter = spawn([](watch::Receiver<int>& rx) -> Task<void> {
            (void)co_await rx.changed();
            co_await yield_now();  // hold on: it may complete, but is aborted here
        }(rx));
        co_await yield_now();
        waiter.abort();
        try {
            co_await waiter;
        } catch (const JoinError&) {
        }
        tx.send(3).value();
        auto c = co_await rx.changed();
        CHECK(c.is_ok());
        CHECK(*rx.borrow() == 3);
    }());
}

TEST_CASE("watch: a receiver always ends up seeing the last value sent", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        std::vector<JoinHandle<int>> readers;
        for (int r = 0; r < 4; ++r) {
            readers.push_back(spawn([](watch::Receiver<int> rx) -> Task<int> {
                int last = 0;
                while ((co_await rx.changed()).is_ok()) {
                    int v = *rx.borrow_and_update();
                    if (v < last) co_return -1;  // values only grow
                    last = v;
                }
                co_return *rx.borrow();
            }(rx)));
        }
        for (int i = 1; i <= 2000; ++i) {
            tx.send(i).value();
            if (i % 100 == 0) co_await yield_now();
        }
        { auto gone = std::move(tx); }
        for (auto& h : readers) {
            int last = co_await h;
            CHECK(last == 2000);
        }
    }());
}

TEST_CASE("watch wait_for checks the current value first, then waits for one that passes",
          "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(4);
        {
            // The current value passes: at once, though it was already seen.
            auto now = co_await rx.wait_for([](int v) { return v % 2 == 0; });
            REQUIRE(now.is_ok());
            CHECK(**now == 4);
            CHECK_FALSE(now->has_changed());
        }
        auto setter = spawn([](watch::Sender<int> tx) -> Task<void> {
            for (int v = 5; v <= 12; ++v) {
                co_await yield_now();
                tx.send_replace(v);
            }
        }(tx));
        int seen = 0;
        {
            auto big = co_await rx.wait_for([](int v) { return v >= 10; });
            REQUIRE(big.is_ok());
            seen = **big;
            CHECK(big->has_changed());
        }
        CHECK(seen >= 10);
        co_await setter;
    }());
}

TEST_CASE("watch wait_for fails once every sender is gone and no unseen value passes",
          "[sync][watch]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        {
            auto [tx, rx] = watch::channel<int>(1);
            auto waiter = spawn([](watch::Receiver<int> rx) -> Task<bool> {
                auto r = co_await rx.wait_for([](int v) { return v > 100; });
                co_return r.is_ok();
            }(rx));
            co_await yield_now();
            tx.send_replace(2);
            { auto gone = std::move(tx); }
            auto passed = co_await waiter;
            CHECK_FALSE(passed);
        }
        {
            // An unseen value sent just before the close still counts.
            auto [tx, rx] = watch::channel<int>(1);
            tx.send_replace(200);
            { auto gone = std::move(tx); }
            auto r = co_await rx.wait_for([](int v) { return v > 100; });
            REQUIRE(r.is_ok());
            CHECK(**r == 200);
        }
        {
            // An exception of the predicate comes out of the co_await.
            auto [tx, rx] = watch::channel<int>(1);
            bool thrown = false;
            try {
                (void)co_await rx.wait_for([](int) -> bool { throw std::runtime_error("bad"); });
            } catch (const std::runtime_error&) {
                thrown = true;
            }
            CHECK(thrown);
        }
    }());
}

TEST_CASE("watch mark_changed and mark_unchanged set what the receiver counts as seen",
          "[sync][watch]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(1);
        CHECK_FALSE(*rx.has_changed());
        rx.mark_changed();
        CHECK(*rx.has_changed());
        auto changed = co_await rx.changed();  // at once, with no send
        CHECK(changed.is_ok());
        CHECK_FALSE(*rx.has_changed());
        tx.send_replace(2);
        CHECK(*rx.has_changed());
        rx.mark_unchanged();
        CHECK_FALSE(*rx.has_changed());
        CHECK(*rx.borrow() == 2);
        rx.mark_changed();
        rx.mark_changed();  // twice is still "changed", never back to "seen"
        CHECK(*rx.has_changed());
    }());
}

TEST_CASE("watch has many senders and closes when the last one is dropped", "[sync][watch]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = watch::channel<int>(0);
        auto tx2 = tx;
        CHECK(tx.sender_count() == 2);
        CHECK(tx2.same_channel(tx));
        { auto gone = std::move(tx); }
        CHECK(tx2.sender_count() == 1);
        CHECK(rx.has_changed().is_ok());  // still open
        tx2.send(5).value();
        auto changed = co_await rx.changed();
        CHECK(changed.is_ok());
        CHECK(*rx.borrow_and_update() == 5);
        auto waiter = spawn([](watch::Receiver<int> rx) -> Task<bool> {
            auto r = co_await rx.changed();
            co_return r.is_ok();
        }(rx));
        co_await yield_now();
        { auto gone = std::move(tx2); }
        auto woke_changed = co_await waiter;
        CHECK_FALSE(woke_changed);  // closed, not changed
        CHECK(rx.has_changed().is_err());
    }());
}
