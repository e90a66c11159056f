// Specification of weft::sync::oneshot: send/receive in both orders, dropped and closed ends,
// try_recv, Sender::closed, cancellation of a pending receive, value lifetimes.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/sync/oneshot.hpp"
#include "support.hpp"

using namespace weft;
namespace oneshot = weft::sync::oneshot;

TEST_CASE("oneshot delivers a value sent before the receiver waits", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<std::string>();
        CHECK(tx.send("hello").is_ok());
        CHECK_FALSE(tx.valid());
        auto r = co_await rx;
        REQUIRE(r.is_ok());
        CHECK(*r == "hello");
    }());
}

TEST_CASE("oneshot wakes a receiver waiting in another task", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    int v = rt.block_on([]() -> Task<int> {
        auto [tx, rx] = oneshot::channel<int>();
        auto h = spawn([](oneshot::Receiver<int> rx) -> Task<int> {
            co_return (co_await rx).value();
        }(std::move(rx)));
        co_await yield_now();
        (void)tx.send(42);
        co_return co_await h;
    }());
    CHECK(v == 42);
}

TEST_CASE("oneshot: a dropped sender completes the receiver with RecvError", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<int>();
        auto h = spawn([](oneshot::Receiver<int> rx) -> Task<bool> {
            auto r = co_await rx;
            co_return r.is_err();
        }(std::move(rx)));
        co_await yield_now();
        { auto drop = std::move(tx); }
        bool ok = co_await h;
        CHECK(ok);
    }());
}

TEST_CASE("oneshot: sending to a dropped receiver gives the value back", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
        CHECK_FALSE(tx.is_closed());
        { auto drop = std::move(rx); }
        CHECK(tx.is_closed());
        auto r = tx.send(std::make_unique<int>(5));
        REQUIRE(r.is_err());
        CHECK(*r.error().value == 5);
        CHECK_THROWS_AS(r.value(), sync::ResultError);
        co_return;
    }());
}

TEST_CASE("oneshot: close() makes sends fail but keeps a value sent before", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        {
            auto [tx, rx] = oneshot::channel<int>();
            rx.close();
            CHECK(tx.is_closed());
            auto r = tx.send(1);
            REQUIRE(r.is_err());
            CHECK(r.error().value == 1);
            CHECK(rx.try_recv().error().is_closed());
        }
        {
            auto [tx, rx] = oneshot::channel<int>();
            CHECK(tx.send(9).is_ok());
            rx.close();
            auto r = rx.try_recv();
            REQUIRE(r.is_ok());
            CHECK(*r == 9);
        }
        {
            auto [tx, rx] = oneshot::channel<int>();
            rx.close();
            auto r = co_await rx;  // closed and empty: completes with an error
            CHECK(r.is_err());
        }
    }());
}

TEST_CASE("oneshot try_recv: Empty, then the value, then Closed", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<int>();
        CHECK(rx.try_recv().error().is_empty());
        CHECK(rx.valid());
        (void)tx.send(3);
        auto r = rx.try_recv();
        REQUIRE(r.is_ok());
        CHECK(*r == 3);
        CHECK_FALSE(rx.valid());
        CHECK(rx.try_recv().error().is_closed());

        auto [tx2, rx2] = oneshot::channel<int>();
        { auto drop = std::move(tx2); }
        CHECK(rx2.try_recv().error().is_closed());
        co_return;
    }());
}

TEST_CASE("oneshot: awaiting a spent receiver throws logic_error", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<int>();
        (void)tx.send(1);
        (void)co_await rx;
        bool threw = false;
        try {
            (void)co_await rx;
        } catch (const std::logic_error&) {
            threw = true;
        }
        CHECK(threw);
    }());
}

TEST_CASE("oneshot Sender::closed completes when the receiver is dropped or closed",
          "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        for (bool drop : {true, false}) {
            auto [tx, rx] = oneshot::channel<int>();
            auto h = spawn([](oneshot::Sender<int> tx) -> Task<bool> {
                co_await tx.closed();
                co_return tx.is_closed();
            }(std::move(tx)));
            co_await yield_now();
            if (drop) {
                auto gone = std::move(rx);
            } else {
                rx.close();
            }
            bool ok = co_await h;
            CHECK(ok);
        }
    }());
}

TEST_CASE("oneshot: aborting a task awaiting the receiver leaves the value in the channel",
          "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<int>();
        std::atomic<bool> started{false};
        auto h = spawn([](oneshot::Receiver<int>& rx, std::atomic<bool>& s) -> Task<int> {
            s.store(true);
            co_return (co_await rx).value();
        }(rx, started));
        while (!started.load()) co_await yield_now();
        h.abort();
        try {
            (void)co_await h;
        } catch (const JoinError&) {
        }
        // The aborted task had either completed (it cannot have: nothing was sent) or dropped
        // its await: the channel is intact and the value still arrives here.
        (void)tx.send(11);
        auto r = co_await rx;
        REQUIRE(r.is_ok());
        CHECK(*r == 11);
    }());
}

TEST_CASE("oneshot destroys an unreceived value exactly once", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        using Counted = std::shared_ptr<weft::test::DropCounter>;
        {
            auto [tx, rx] = oneshot::channel<Counted>();
            (void)tx.send(std::make_shared<weft::test::DropCounter>(live));
            CHECK(live.load() == 1);
        }
        CHECK(live.load() == 0);
        {
            auto [tx, rx] = oneshot::channel<Counted>();
            rx.close();
            {
                auto r = tx.send(std::make_shared<weft::test::DropCounter>(live));
                CHECK(live.load() == 1);  // handed back inside the error
            }
            CHECK(live.load() == 0);
        }
        co_return;
    }(live));
    CHECK(live.load() == 0);
}

TEST_CASE("oneshot round trips across tasks and threads", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    long sum = rt.block_on([]() -> Task<long> {
        std::vector<JoinHandle<long>> handles;
        for (long i = 0; i < 2000; ++i) {
            handles.push_back(spawn([](long i) -> Task<long> {
                auto [tx1, rx1] = oneshot::channel<long>();
                auto [tx2, rx2] = oneshot::channel<long>();
                spawn([](oneshot::Receiver<long> rx, oneshot::Sender<long> tx) -> Task<void> {
                    long v = (co_await rx).value();
                    (void)tx.send(v * 2);
                }(std::move(rx1), std::move(tx2)))
                    .detach();
                (void)tx1.send(i);
                co_return (co_await rx2).value();
            }(i)));
        }
        long total = 0;
        for (auto& h : handles) total += co_await h;
        co_return total;
    }());
    CHECK(sum == 2 * (1999L * 2000L / 2));
}

TEST_CASE("oneshot is_empty and is_terminated follow the value and the receiver's end",
          "[sync][oneshot]") {
    {
        auto [tx, rx] = oneshot::channel<int>();
        CHECK(rx.is_empty());
        CHECK_FALSE(rx.is_terminated());
        REQUIRE(tx.send(3).is_ok());
        CHECK_FALSE(rx.is_empty());
        CHECK_FALSE(rx.is_terminated());
        auto r = rx.try_recv();
        REQUIRE(r.is_ok());
        CHECK(*r == 3);
        CHECK(rx.is_empty());
        CHECK(rx.is_terminated());
    }
    {
        auto [tx, rx] = oneshot::channel<int>();
        { auto gone = std::move(tx); }  // dropped without a value
        CHECK(rx.is_empty());
        CHECK_FALSE(rx.is_terminated());  // its Closed result was not taken yet
        CHECK(rx.try_recv().error().kind == oneshot::TryRecvError::Kind::closed);
        CHECK(rx.is_terminated());
    }
    {
        auto [tx, rx] = oneshot::channel<int>();
        rx.close();
        CHECK(tx.send(1).is_err());
        CHECK(rx.is_empty());  // a send after close leaves nothing to receive
    }
}

TEST_CASE("oneshot is_terminated after the receiver was awaited", "[sync][oneshot]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = oneshot::channel<int>();
        REQUIRE(tx.send(9).is_ok());
        auto r = co_await rx;
        CHECK(*r == 9);
        CHECK(rx.is_terminated());
        CHECK(rx.is_empty());
    }());
}
