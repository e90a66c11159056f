// Specification of weft::sync::mpsc (bounded and unbounded): order, closing from either side,
// sender counting, try_send/try_recv, permits, FIFO fairness of waiting senders, cancellation of
// pending sends and receives, coop budget, value lifetimes.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/mpsc.hpp"
#include "support.hpp"

using namespace weft;
namespace mpsc = weft::sync::mpsc;
using weft::test::ManualPoll;

TEST_CASE("mpsc delivers messages in order and ends when every sender is gone", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(4);
        // The producer's frame, with the sender it took, goes when it finishes: the JoinHandle
        // kept below does not keep the channel open.
        auto producer = spawn([](mpsc::Sender<int> tx) -> Task<void> {
            for (int i = 0; i < 1000; ++i) (co_await tx.send(i)).value();
        }(std::move(tx)));
        int expect = 0;
        while (auto v = co_await rx.recv()) CHECK(*v == expect++);
        CHECK(expect == 1000);
        co_await producer;
    }());
}

TEST_CASE("unbounded mpsc delivers across many blocks in order", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::unbounded_channel<std::string>();
        auto producer = spawn([](mpsc::UnboundedSender<std::string> tx) -> Task<void> {
            for (int i = 0; i < 5000; ++i) {
                tx.send(std::to_string(i)).value();
                if (i % 700 == 0) co_await yield_now();
            }
        }(std::move(tx)));
        int expect = 0;
        while (auto v = co_await rx.recv()) CHECK(*v == std::to_string(expect++));
        CHECK(expect == 5000);
        co_await producer;
    }());
}

TEST_CASE("mpsc: the channel stays open while any sender copy lives", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(8);
        std::optional<mpsc::Sender<int>> copy(tx);
        CHECK(copy->same_channel(tx));
        { auto gone = std::move(tx); }
        CHECK(rx.try_recv().error().is_empty());
        (co_await copy->send(5)).value();
        copy.reset();
        auto five = co_await rx.recv();
        CHECK(*five == 5);
        auto end = co_await rx.recv();
        CHECK_FALSE(end.has_value());
        CHECK(rx.try_recv().error().is_disconnected());

        auto [utx, urx] = mpsc::unbounded_channel<int>();
        auto ucopy = utx;
        { auto gone = std::move(utx); }
        ucopy.send(1).value();
        { auto gone = std::move(ucopy); }
        auto one = co_await urx.recv();
        CHECK(*one == 1);
        auto uend = co_await urx.recv();
        CHECK_FALSE(uend.has_value());
    }());
}

TEST_CASE("mpsc try_send reports Full and Closed and gives the message back", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<std::unique_ptr<int>>(2);
        CHECK(tx.try_send(std::make_unique<int>(1)).is_ok());
        CHECK(tx.try_send(std::make_unique<int>(2)).is_ok());
        CHECK(tx.capacity() == 0);
        CHECK(tx.max_capacity() == 2);
        auto full = tx.try_send(std::make_unique<int>(3));
        REQUIRE(full.is_err());
        CHECK(full.error().is_full());
        CHECK(*full.error().value == 3);
        auto first = co_await rx.recv();
        CHECK(**first == 1);
        CHECK(tx.capacity() == 1);
        rx.close();
        auto closed = tx.try_send(std::make_unique<int>(4));
        REQUIRE(closed.is_err());
        CHECK(closed.error().is_closed());
        CHECK(*closed.error().value == 4);
        auto second = co_await rx.recv();
        CHECK(**second == 2);  // buffered before close: still delivered
        auto end = co_await rx.recv();
        CHECK_FALSE(end.has_value());
    }());
}

TEST_CASE("mpsc receiver close: sends fail, buffered messages and held permits still arrive",
          "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(4);
        (co_await tx.send(1)).value();
        auto permit = (co_await tx.reserve()).value();
        CHECK_FALSE(tx.is_closed());
        rx.close();
        CHECK(tx.is_closed());
        auto r = co_await tx.send(2);
        REQUIRE(r.is_err());
        CHECK(r.error().value == 2);
        auto reserved = co_await tx.reserve();
        CHECK(reserved.is_err());
        auto one = co_await rx.recv();
        CHECK(*one == 1);
        permit.send(3);  // capacity taken before close: delivered (as Tokio)
        auto three = co_await rx.recv();
        CHECK(*three == 3);
        auto end = co_await rx.recv();
        CHECK_FALSE(end.has_value());

        auto [utx, urx] = mpsc::unbounded_channel<int>();
        utx.send(1).value();
        urx.close();
        CHECK(utx.is_closed());
        auto ur = utx.send(2);
        REQUIRE(ur.is_err());
        CHECK(ur.error().value == 2);
        auto uone = co_await urx.recv();
        CHECK(*uone == 1);
        auto uend = co_await urx.recv();
        CHECK_FALSE(uend.has_value());
    }());
}

TEST_CASE("mpsc: a receiver that closes while waiting for an unused permit ends the stream",
          "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(1);
        auto permit = std::make_unique<mpsc::Permit<int>>((co_await tx.reserve()).value());
        rx.close();
        auto waiter = spawn([](mpsc::Receiver<int>& rx) -> Task<bool> {
            co_return !(co_await rx.recv()).has_value();
        }(rx));
        co_await yield_now();
        permit.reset();  // unused: capacity back, the receiver learns nothing more can come
        bool ended = co_await waiter;
        CHECK(ended);
    }());
}

TEST_CASE("mpsc permits: reserve, send through the permit, or drop it to give capacity back",
          "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(2);
        {
            auto p1 = (co_await tx.reserve()).value();
            auto p2 = (co_await tx.reserve()).value();
            CHECK(tx.capacity() == 0);
            CHECK(tx.try_send(9).error().is_full());
            p1.send(1);
            CHECK(tx.capacity() == 0);  // the message holds it now
        }                               // p2 dropped unused
        CHECK(tx.capacity() == 1);
        auto one = co_await rx.recv();
        CHECK(*one == 1);
        CHECK(tx.capacity() == 2);
    }());
}

TEST_CASE("mpsc: dropping the receiver fails sends and completes closed()", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(1);
        auto watcher = spawn([](mpsc::Sender<int> tx) -> Task<bool> {
            co_await tx.closed();
            co_return tx.is_closed();
        }(tx));
        (co_await tx.send(1)).value();
        auto blocked = spawn([](mpsc::Sender<int> tx) -> Task<int> {
            auto r = co_await tx.send(2);  // waits: the channel is full
            co_return r.is_err() ? r.error().value : -1;
        }(tx));
        co_await yield_now();
        { auto gone = std::move(rx); }
        bool watched = co_await watcher;
        CHECK(watched);
        int returned = co_await blocked;
        CHECK(returned == 2);
        CHECK(tx.is_closed());
        auto r = co_await tx.send(3);
        CHECK(r.is_err());

        auto [utx, urx] = mpsc::unbounded_channel<int>();
        auto uwatch =
            spawn([](mpsc::UnboundedSender<int> tx) -> Task<void> { co_await tx.closed(); }(utx));
        { auto gone = std::move(urx); }
        co_await uwatch;
        CHECK(utx.send(1).is_err());
    }());
}

TEST_CASE("mpsc: waiting senders get capacity in FIFO order", "[sync][mpsc]") {
    ManualPoll mp;
    auto [tx, rx] = mpsc::channel<int>(1);
    REQUIRE(tx.try_send(0).is_ok());
    std::atomic<int> wa{0}, wb{0}, wc{0};
    auto a = tx.send(1);
    auto b = tx.send(2);
    auto c = tx.send(3);
    CHECK_FALSE(mp.poll(a, wa));
    CHECK_FALSE(mp.poll(b, wb));
    CHECK_FALSE(mp.poll(c, wc));
    CHECK(tx.try_send(99).error().is_full());  // no jumping the line
    CHECK(*rx.try_recv() == 0);
    CHECK(wa.load() == 1);
    CHECK(wb.load() == 0);
    CHECK(mp.poll(a, wa));
    CHECK(a.await_resume().is_ok());
    CHECK_FALSE(mp.poll(b, wb));
    CHECK(*rx.try_recv() == 1);
    CHECK(wb.load() == 1);
    CHECK(wc.load() == 0);
    CHECK(mp.poll(b, wb));
    CHECK(b.await_resume().is_ok());
    CHECK(*rx.try_recv() == 2);
    CHECK(mp.poll(c, wc));
    CHECK(c.await_resume().is_ok());
    CHECK(*rx.try_recv() == 3);
}

TEST_CASE("mpsc: a cancelled waiting send gives its capacity to the next sender", "[sync][mpsc]") {
    ManualPoll mp;
    auto [tx, rx] = mpsc::channel<int>(1);
    REQUIRE(tx.try_send(0).is_ok());
    std::atomic<int> wa{0}, wb{0};
    auto b = tx.send(2);
    {
        auto a = tx.send(1);
        CHECK_FALSE(mp.poll(a, wa));
        CHECK_FALSE(mp.poll(b, wb));
        CHECK(*rx.try_recv() == 0);  // capacity assigned to `a`...
        CHECK(wa.load() == 1);
    }  // ...which is dropped before it completes
    CHECK(wb.load() == 1);
    CHECK(mp.poll(b, wb));
    CHECK(b.await_resume().is_ok());
    CHECK(*rx.try_recv() == 2);
    CHECK(rx.try_recv().error().is_empty());
    CHECK(tx.capacity() == 1);
}

TEST_CASE("mpsc: aborting a task blocked in send leaks no capacity", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(1);
        (co_await tx.send(0)).value();
        std::vector<JoinHandle<void>> blocked;
        for (int i = 1; i <= 3; ++i) {
            blocked.push_back(spawn([](mpsc::Sender<int> tx, int i) -> Task<void> {
                (void)co_await tx.send(i);
            }(tx, i)));
        }
        co_await yield_now();
        co_await weft::test::abort_and_join(blocked);
        // Whatever the blocked senders managed to send before they were cancelled is here, and
        // every unit of capacity comes back.
        int received = 0;
        while (rx.try_recv().is_ok()) ++received;
        CHECK(received >= 1);
        CHECK(tx.capacity() == 1);
    }());
}

TEST_CASE("mpsc: aborting a task blocked in recv loses no message", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(4);
        std::atomic<int> got{-1};
        auto reader = spawn([](mpsc::Receiver<int>& rx, std::atomic<int>& got) -> Task<void> {
            auto v = co_await rx.recv();
            got.store(v ? *v : -2);
        }(rx, got));
        co_await yield_now();
        reader.abort();
        try {
            co_await reader;
        } catch (const JoinError&) {
        }
        (co_await tx.send(7)).value();
        if (got.load() == -1) {  // the reader never got it
            auto v = co_await rx.recv();
            CHECK(*v == 7);
        } else {
            CHECK(got.load() == 7);
        }
    }());
}

TEST_CASE("mpsc recv spends coop budget", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool other_ran = rt.block_on([]() -> Task<bool> {
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        for (int i = 0; i < 10'000; ++i) tx.send(i).value();
        std::atomic<bool> ran{false};
        auto other = spawn([](std::atomic<bool>& r) -> Task<void> {
            r.store(true);
            co_return;
        }(ran));
        bool seen = false;
        for (int i = 0; i < 10'000 && !seen; ++i) {
            (void)co_await rx.recv();  // always ready
            seen = ran.load();
        }
        co_await other;
        co_return seen;
    }());
    CHECK(other_ran);
}

TEST_CASE("mpsc destroys unreceived messages with the channel", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        using Counted = std::shared_ptr<weft::test::DropCounter>;
        {
            auto [tx, rx] = mpsc::channel<Counted>(200);
            for (int i = 0; i < 150; ++i)
                (co_await tx.send(std::make_shared<weft::test::DropCounter>(live))).value();
            CHECK(live.load() == 150);
            (void)co_await rx.recv();
            CHECK(live.load() == 149);
        }
        CHECK(live.load() == 0);
        {
            auto [tx, rx] = mpsc::unbounded_channel<Counted>();
            for (int i = 0; i < 150; ++i)
                tx.send(std::make_shared<weft::test::DropCounter>(live)).value();
            { auto gone = std::move(rx); }  // dropping the receiver destroys what was buffered
            CHECK(live.load() == 0);
            CHECK(tx.send(std::make_shared<weft::test::DropCounter>(live)).is_err());
            CHECK(live.load() == 0);  // the returned message died with the Result
        }
    }(live));
    CHECK(live.load() == 0);
}

TEST_CASE("mpsc: many producers on both flavors lose and duplicate nothing", "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        constexpr int kProducers = 6;
        constexpr int kEach = 3000;
        auto [tx, rx] = mpsc::channel<std::pair<int, int>>(16);
        for (int p = 0; p < kProducers; ++p) {
            spawn([](mpsc::Sender<std::pair<int, int>> tx, int p) -> Task<void> {
                for (int i = 0; i < kEach; ++i) (co_await tx.send({p, i})).value();
            }(tx, p))
                .detach();
        }
        { auto gone = std::move(tx); }
        std::vector<int> next(kProducers, 0);
        int total = 0;
        while (auto v = co_await rx.recv()) {
            CHECK(v->second == next[v->first]);  // per-producer order
            next[v->first] = v->second + 1;
            ++total;
        }
        CHECK(total == kProducers * kEach);
    }());
}

TEST_CASE("mpsc rejects a zero capacity", "[sync][mpsc]") {
    CHECK_THROWS_AS(mpsc::channel<int>(0), std::invalid_argument);
}
