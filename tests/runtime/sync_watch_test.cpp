// Specification of weft::sync::watch: versions (changed, borrow_and_update, has_changed,
// subscribe, copies), sends with and without receivers, closing from either side, cancellation
// of a pending changed().
#include <catch2/catch.hpp>

#include <atomic>
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
