// Specification of weft::sync::mpmc: each value to exactly one receiver, closing from both sides,
// try_send/try_recv, FIFO of waiting senders and receivers, a cancelled receive handing its value
// on, aborted tasks losing nothing.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/mpmc.hpp"
#include "support.hpp"

using namespace weft;
namespace mpmc = weft::sync::mpmc;
using weft::test::ManualPoll;

TEST_CASE("mpmc: every value goes to exactly one receiver", "[sync][mpmc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        constexpr int kSenders = 3, kReceivers = 4, kEach = 2000;
        auto [tx, rx] = mpmc::channel<int>(8);
        std::mutex m;
        std::multiset<int> seen;
        std::vector<JoinHandle<void>> receivers;
        for (int r = 0; r < kReceivers; ++r) {
            receivers.push_back(spawn(
                [](mpmc::Receiver<int> rx_, std::mutex& m, std::multiset<int>& seen) -> Task<void> {
                    auto rx = std::move(rx_);
                    while (auto v = co_await rx.recv()) {
                        std::lock_guard lock(m);
                        seen.insert(*v);
                    }
                }(rx, m, seen)));
        }
        { auto unused = std::move(rx); }
        for (int s = 0; s < kSenders; ++s) {
            spawn([](mpmc::Sender<int> tx, int s) -> Task<void> {
                for (int i = 0; i < kEach; ++i) (co_await tx.send(s * kEach + i)).value();
            }(tx, s))
                .detach();
        }
        { auto gone = std::move(tx); }
        for (auto& h : receivers) co_await h;
        CHECK(seen.size() == static_cast<std::size_t>(kSenders * kEach));
        int expect = 0;
        bool exact = true;
        for (int v : seen) exact = exact && (v == expect++);
        CHECK(exact);
    }());
}

TEST_CASE("mpmc: receivers drain, then get nullopt once all senders are gone", "[sync][mpmc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpmc::channel<int>(4);
        auto rx2 = rx;
        (co_await tx.send(1)).value();
        (co_await tx.send(2)).value();
        auto waiting = spawn([](mpmc::Receiver<int>& rx) -> Task<int> {
            co_await yield_now();
            auto a = co_await rx.recv();
            auto b = co_await rx.recv();
            auto c = co_await rx.recv();
            co_return (a ? *a : 0) + (b ? *b : 0) + (c ? 100 : 0);
        }(rx2));
        { auto gone = std::move(tx); }
        int sum = co_await waiting;
        CHECK(sum == 3);
        auto end = co_await rx.recv();
        CHECK_FALSE(end.has_value());
        CHECK(rx.try_recv().error().is_disconnected());
    }());
}

TEST_CASE("mpmc: with every receiver gone, sends fail and buffered values are destroyed",
          "[sync][mpmc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        using Counted = std::shared_ptr<weft::test::DropCounter>;
        auto [tx, rx] = mpmc::channel<Counted>(1);
        (co_await tx.send(std::make_shared<weft::test::DropCounter>(live))).value();
        auto blocked = spawn([](mpmc::Sender<Counted> tx, std::atomic<int>& live) -> Task<bool> {
            auto r = co_await tx.send(std::make_shared<weft::test::DropCounter>(live));
            co_return r.is_err();
        }(tx, live));
        co_await yield_now();
        auto rx2 = rx;
        { auto gone = std::move(rx); }
        CHECK_FALSE(tx.is_closed());
        { auto gone = std::move(rx2); }
        CHECK(tx.is_closed());
        bool failed = co_await blocked;
        CHECK(failed);
        CHECK(live.load() == 0);
        auto r = tx.try_send(std::make_shared<weft::test::DropCounter>(live));
        CHECK(r.error().is_closed());
    }(live));
    CHECK(live.load() == 0);
}

TEST_CASE("mpmc try_send and try_recv", "[sync][mpmc]") {
    auto [tx, rx] = mpmc::channel<int>(1);
    CHECK(rx.try_recv().error().is_empty());
    CHECK(tx.try_send(1).is_ok());
    auto full = tx.try_send(2);
    REQUIRE(full.is_err());
    CHECK(full.error().is_full());
    CHECK(full.error().value == 2);
    CHECK(*rx.try_recv() == 1);
}

TEST_CASE("mpmc: waiting senders and waiting receivers are served in FIFO order", "[sync][mpmc]") {
    ManualPoll mp;
    auto [tx, rx] = mpmc::channel<int>(1);
    REQUIRE(tx.try_send(0).is_ok());
    std::atomic<int> w1{0}, w2{0};
    auto s1 = tx.send(1);
    auto s2 = tx.send(2);
    CHECK_FALSE(mp.poll(s1, w1));
    CHECK_FALSE(mp.poll(s2, w2));
    CHECK(tx.try_send(9).error().is_full());
    CHECK(*rx.try_recv() == 0);  // pulls s1's value in
    CHECK(w1.load() == 1);
    CHECK(w2.load() == 0);
    CHECK(mp.poll(s1, w1));
    CHECK(s1.await_resume().is_ok());
    CHECK(*rx.try_recv() == 1);
    CHECK(mp.poll(s2, w2));
    CHECK(*rx.try_recv() == 2);

    std::atomic<int> r1w{0}, r2w{0};
    auto rx2 = rx;
    auto r1 = rx.recv();
    auto r2 = rx2.recv();
    CHECK_FALSE(mp.poll(r1, r1w));
    CHECK_FALSE(mp.poll(r2, r2w));
    CHECK(tx.try_send(7).is_ok());
    CHECK(r1w.load() == 1);
    CHECK(r2w.load() == 0);
    CHECK(mp.poll(r1, r1w));
    CHECK(r1.await_resume() == 7);
    CHECK(tx.try_send(8).is_ok());
    CHECK(mp.poll(r2, r2w));
    CHECK(r2.await_resume() == 8);
}

TEST_CASE("mpmc: a dropped receive hands its value to the next receiver", "[sync][mpmc]") {
    ManualPoll mp;
    auto [tx, rx] = mpmc::channel<int>(2);
    std::atomic<int> w1{0}, w2{0};
    auto r2 = rx.recv();
    {
        auto r1 = rx.recv();
        CHECK_FALSE(mp.poll(r1, w1));
        CHECK_FALSE(mp.poll(r2, w2));
        CHECK(tx.try_send(5).is_ok());  // handed to r1...
        CHECK(w1.load() == 1);
    }  // ...which is dropped
    CHECK(w2.load() == 1);
    CHECK(mp.poll(r2, w2));
    CHECK(r2.await_resume() == 5);
    {
        auto r3 = rx.recv();
        CHECK_FALSE(mp.poll(r3, w1));
        CHECK(tx.try_send(6).is_ok());
    }  // nobody waits: back at the front of the queue
    CHECK(*rx.try_recv() == 6);
}

TEST_CASE("mpmc: aborted receivers lose no value", "[sync][mpmc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpmc::channel<int>(2);
        std::atomic<int> taken{0};
        std::vector<JoinHandle<void>> readers;
        for (int i = 0; i < 3; ++i) {
            readers.push_back(spawn([](mpmc::Receiver<int>& rx, std::atomic<int>& t) -> Task<void> {
                if (co_await rx.recv()) t.fetch_add(1);
                co_await yield_now();
            }(rx, taken)));
        }
        co_await yield_now();
        (co_await tx.send(1)).value();
        co_await weft::test::abort_and_join(readers);
        int left = 0;
        while (rx.try_recv().is_ok()) ++left;
        CHECK(taken.load() + left == 1);
    }());
}
