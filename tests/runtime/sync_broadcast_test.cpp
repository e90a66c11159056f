// Specification of weft::sync::broadcast: every receiver sees every value, receiver counting,
// lagging (Lagged(n), then the oldest kept value), capacity rounding, closing only after the
// backlog, subscribe/resubscribe, try_recv, cancellation of a pending recv.
#include <catch2/catch.hpp>

#include <atomic>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/sync/broadcast.hpp"
#include "support.hpp"

using namespace weft;
namespace broadcast = weft::sync::broadcast;

TEST_CASE("broadcast: every receiver gets every value in order", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(16);
        std::vector<JoinHandle<int>> handles;
        for (int r = 0; r < 4; ++r) {
            handles.push_back(spawn([](broadcast::Receiver<int> rx_) -> Task<int> {
                auto rx = std::move(rx_);
                int expect = 0;
                for (;;) {
                    auto v = co_await rx.recv();
                    if (!v) co_return v.error().is_closed() ? expect : -1;
                    if (*v != expect) co_return -2;
                    ++expect;
                }
            }(tx.subscribe())));
        }
        { auto unused = std::move(rx); }
        for (int i = 0; i < 12; ++i) {
            auto n = tx.send(i);
            REQUIRE(n.is_ok());
            CHECK(*n == 4);
        }
        { auto gone = std::move(tx); }
        for (auto& h : handles) {
            int got = co_await h;
            CHECK(got == 12);
        }
    }());
}

TEST_CASE("broadcast: send fails without receivers and gives the value back", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<std::string>(4);
        CHECK(tx.receiver_count() == 1);
        { auto gone = std::move(rx); }
        CHECK(tx.receiver_count() == 0);
        auto r = tx.send("x");
        REQUIRE(r.is_err());
        CHECK(r.error().value == "x");
        auto rx2 = tx.subscribe();
        CHECK(tx.send("y").is_ok());
        auto v = co_await rx2.recv();
        CHECK(*v == "y");
    }());
}

TEST_CASE("broadcast: a lagging receiver gets Lagged(n) and resumes at the oldest value",
          "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(3);  // rounded up to 4
        for (int i = 0; i < 10; ++i) tx.send(i).value();
        CHECK(rx.len() == 10);
        auto lag = co_await rx.recv();
        REQUIRE(lag.is_err());
        CHECK(lag.error().is_lagged());
        CHECK(lag.error().skipped == 6);  // 0..5 lost, 6..9 kept
        for (int expect = 6; expect < 10; ++expect) {
            auto v = co_await rx.recv();
            REQUIRE(v.is_ok());
            CHECK(*v == expect);
        }
        CHECK(rx.try_recv().error().is_empty());
        for (int i = 10; i < 16; ++i) tx.send(i).value();
        auto t = rx.try_recv();
        REQUIRE(t.is_err());
        CHECK(t.error().is_lagged());
        CHECK(t.error().skipped == 2);
        CHECK(*rx.try_recv() == 12);
    }());
}

TEST_CASE("broadcast: Closed comes only after the backlog is received", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(8);
        auto tx2 = tx;
        tx.send(1).value();
        tx2.send(2).value();
        { auto gone = std::move(tx); }
        CHECK(rx.try_recv().is_ok());  // a sender is still alive
        { auto gone = std::move(tx2); }
        auto two = co_await rx.recv();
        CHECK(*two == 2);
        auto end = co_await rx.recv();
        REQUIRE(end.is_err());
        CHECK(end.error().is_closed());
        CHECK(rx.try_recv().error().is_closed());
    }());
}

TEST_CASE("broadcast: subscribe and resubscribe start at the next value", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(8);
        tx.send(1).value();
        auto late = tx.subscribe();
        auto later = rx.resubscribe();
        tx.send(2).value();
        auto a = co_await rx.recv();
        auto b = co_await late.recv();
        auto c = co_await later.recv();
        CHECK(*a == 1);
        CHECK(*b == 2);
        CHECK(*c == 2);
        CHECK(tx.receiver_count() == 3);
    }());
}

TEST_CASE("broadcast: a waiting receiver is woken by the next send", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(2);
        auto waiter = spawn([](broadcast::Receiver<int>& rx) -> Task<int> {
            auto v = co_await rx.recv();
            co_return v.is_ok() ? *v : -1;
        }(rx));
        co_await yield_now();
        tx.send(42).value();
        int got = co_await waiter;
        CHECK(got == 42);
    }());
}

TEST_CASE("broadcast: aborting a task waiting in recv consumes nothing", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(4);
        std::atomic<int> got{-1};
        auto waiter = spawn([](broadcast::Receiver<int>& rx, std::atomic<int>& got) -> Task<void> {
            auto v = co_await rx.recv();
            got.store(v.is_ok() ? *v : -2);
        }(rx, got));
        co_await yield_now();
        waiter.abort();
        try {
            co_await waiter;
        } catch (const JoinError&) {
        }
        tx.send(5).value();
        if (got.load() == -1) {
            auto v = co_await rx.recv();
            CHECK(*v == 5);
        } else {
            CHECK(got.load() == 5);
        }
    }());
}

TEST_CASE("broadcast keeps values until overwritten or the channel is destroyed",
          "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        using Counted = std::shared_ptr<weft::test::DropCounter>;
        {
            auto [tx, rx] = broadcast::channel<Counted>(2);
            for (int i = 0; i < 5; ++i)
                tx.send(std::make_shared<weft::test::DropCounter>(live)).value();
            CHECK(live.load() == 2);  // the ring holds the last two
        }
        CHECK(live.load() == 0);
        co_return;
    }(live));
}

TEST_CASE("broadcast rejects a zero capacity", "[sync][broadcast]") {
    CHECK_THROWS_AS(broadcast::channel<int>(0), std::invalid_argument);
}

TEST_CASE("broadcast rejects a capacity above SIZE_MAX >> 1 without allocating it",
          "[sync][broadcast]") {
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max() >> 1;
    CHECK_THROWS_AS(broadcast::channel<int>(max + 1), std::invalid_argument);
    CHECK_THROWS_AS(broadcast::channel<int>(std::numeric_limits<std::size_t>::max()),
                    std::invalid_argument);
    CHECK_THROWS_WITH(broadcast::channel<int>(max + 1),
                      Catch::Contains("capacity " + std::to_string(max + 1)));
}

namespace {
// A value whose move assignment throws on demand.
struct Flaky {
    static inline bool fail = false;
    int v = 0;
    explicit Flaky(int x) : v(x) {}
    Flaky(const Flaky&) = default;
    Flaky(Flaky&&) = default;
    Flaky& operator=(const Flaky&) = default;
    Flaky& operator=(Flaky&& o) {
        if (fail) throw std::runtime_error("move assignment failed");
        v = o.v;
        return *this;
    }
};
}  // namespace

TEST_CASE("broadcast: a send whose value throws while stored sends nothing and blocks nobody",
          "[sync][broadcast]") {
    auto [tx, rx] = broadcast::channel<Flaky>(1);
    REQUIRE(tx.send(Flaky(1)).is_ok());  // constructs the slot's value
    Flaky::fail = true;
    CHECK_THROWS_AS(tx.send(Flaky(2)), std::runtime_error);  // assigns over it, and throws
    Flaky::fail = false;
    auto first = rx.try_recv();
    REQUIRE(first.is_ok());
    CHECK(first->v == 1);
    CHECK(rx.try_recv().error().is_empty());  // the failed send did not count
    REQUIRE(tx.send(Flaky(3)).is_ok());       // the slot is not left locked
    auto third = rx.try_recv();
    REQUIRE(third.is_ok());
    CHECK(third->v == 3);
}

namespace {
// A value whose copy throws on demand.
struct CopyFails {
    static inline bool fail = false;
    int v = 0;
    explicit CopyFails(int x) : v(x) {}
    CopyFails(const CopyFails& o) : v(o.v) {
        if (fail) throw std::runtime_error("copy failed");
    }
    CopyFails(CopyFails&&) = default;
    CopyFails& operator=(const CopyFails&) = default;
    CopyFails& operator=(CopyFails&&) = default;
};
}  // namespace

TEST_CASE("broadcast try_recv moves past a value whose copy throws", "[sync][broadcast]") {
    auto [tx, rx] = broadcast::channel<CopyFails>(4);
    REQUIRE(tx.send(CopyFails(1)).is_ok());
    REQUIRE(tx.send(CopyFails(2)).is_ok());
    CopyFails::fail = true;
    CHECK_THROWS_WITH(rx.try_recv(), "copy failed");
    CopyFails::fail = false;
    auto next = rx.try_recv();  // the next value, not the one that failed again
    REQUIRE(next.is_ok());
    CHECK(next->v == 2);
    CHECK(rx.try_recv().error().is_empty());
}

TEST_CASE("broadcast recv moves past a value whose copy throws and rethrows in the task",
          "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<CopyFails>(4);
        REQUIRE(tx.send(CopyFails(1)).is_ok());
        REQUIRE(tx.send(CopyFails(2)).is_ok());
        CopyFails::fail = true;
        bool threw = false;
        try {
            (void)co_await rx.recv();
        } catch (const std::runtime_error& e) {
            threw = std::string(e.what()) == "copy failed";
        }
        CopyFails::fail = false;
        CHECK(threw);
        auto next = co_await rx.recv();
        REQUIRE(next.is_ok());
        CHECK(next->v == 2);
    }());
}

TEST_CASE("broadcast Sender::len counts values the slowest receiver has not received yet",
          "[sync][broadcast]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(4);
        CHECK(tx.len() == 0);
        CHECK(tx.is_empty());
        (void)tx.send(1);
        (void)tx.send(2);
        auto late = tx.subscribe();  // sees only what comes from now on
        (void)tx.send(3);
        CHECK(tx.len() == 3);  // rx has received none
        (void)rx.try_recv();
        CHECK(tx.len() == 2);
        auto got = co_await rx.recv();
        CHECK(*got == 2);
        CHECK(tx.len() == 1);  // value 3: neither receiver has it yet
        (void)rx.try_recv();
        CHECK(tx.len() == 1);  // `late` still has it to receive
        (void)late.try_recv();
        CHECK(tx.len() == 0);
        // Values overwritten are not queued any more: at most the capacity.
        for (int i = 0; i < 10; ++i) (void)tx.send(i);
        CHECK(tx.len() == 4);
        { auto gone = std::move(late); }
        { auto gone = std::move(rx); }
        CHECK(tx.len() == 0);  // nobody left to receive them
    }());
}

TEST_CASE("broadcast Sender::closed completes once every receiver is gone", "[sync][broadcast]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = broadcast::channel<int>(2);
        auto rx2 = tx.subscribe();
        auto dropper =
            spawn([](broadcast::Receiver<int> a, broadcast::Receiver<int> b) -> Task<void> {
                co_await yield_now();
                { auto gone = std::move(a); }
                co_await yield_now();
                { auto gone = std::move(b); }
            }(std::move(rx), std::move(rx2)));
        co_await tx.closed();
        CHECK(tx.receiver_count() == 0);
        CHECK(tx.send(1).is_err());
        co_await tx.closed();  // at once now
        co_await dropper;
    }());
}
