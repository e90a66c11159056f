// Specification of mpsc's Tokio-parity API: recv_many, len/is_empty/is_closed on the receiver,
// weak senders (downgrade/upgrade), reserve_many/try_reserve_many and send_timeout, for the
// bounded channel and, where it has them, the unbounded one.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/sync/mpsc.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace mpsc = weft::sync::mpsc;

TEST_CASE("mpsc recv_many waits for one message then takes every ready one up to the limit",
          "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(8);
        std::vector<int> buffer{-1};
        auto got1 = co_await rx.recv_many(buffer, 0);
        CHECK(got1 == 0);  // a limit of 0 takes nothing, at once
        for (int i = 0; i < 5; ++i) (co_await tx.send(i)).value();
        auto got2 = co_await rx.recv_many(buffer, 3);
        CHECK(got2 == 3);
        CHECK(buffer == std::vector<int>{-1, 0, 1, 2});  // appended, in order
        auto got3 = co_await rx.recv_many(buffer, 10);
        CHECK(got3 == 2);
        CHECK(buffer.size() == 6);

        // Empty: it waits for the next send.
        auto later = spawn([](mpsc::Sender<int> tx) -> Task<void> {
            co_await time::sleep(5ms);
            (co_await tx.send(42)).value();
        }(tx));
        buffer.clear();
        auto got4 = co_await rx.recv_many(buffer, 4);
        CHECK(got4 == 1);
        CHECK(buffer == std::vector<int>{42});
        co_await later;

        // Closed and drained: 0.
        { auto gone = std::move(tx); }
        auto got5 = co_await rx.recv_many(buffer, 4);
        CHECK(got5 == 0);
        CHECK(buffer.size() == 1);
    }());
}

TEST_CASE("unbounded mpsc recv_many gives 0 once closed and drained", "[sync][mpsc]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::unbounded_channel<std::string>();
        for (int i = 0; i < 100; ++i) tx.send(std::to_string(i)).value();
        rx.close();
        std::vector<std::string> buffer;
        auto got6 = co_await rx.recv_many(buffer, 64);
        CHECK(got6 == 64);
        auto got7 = co_await rx.recv_many(buffer, 64);
        CHECK(got7 == 36);
        CHECK(buffer.back() == "99");
        auto got8 = co_await rx.recv_many(buffer, 64);
        CHECK(got8 == 0);
    }());
}

TEST_CASE("mpsc receiver len, is_empty and is_closed follow sends, receives and closing",
          "[sync][mpsc]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        {
            auto [tx, rx] = mpsc::channel<int>(4);
            CHECK(rx.is_empty());
            CHECK(rx.len() == 0);
            CHECK_FALSE(rx.is_closed());
            tx.try_send(1).value();
            tx.try_send(2).value();
            CHECK(rx.len() == 2);
            CHECK_FALSE(rx.is_empty());
            CHECK(rx.capacity() == 2);
            CHECK(rx.max_capacity() == 4);
            (void)rx.try_recv();
            CHECK(rx.len() == 1);
            rx.close();
            CHECK(rx.is_closed());  // closed, though a message is still buffered
            CHECK(rx.len() == 1);
            CHECK(tx.try_send(3).error().is_closed());
            CHECK(rx.len() == 1);  // the failed send is not counted
        }
        {
            auto [tx, rx] = mpsc::unbounded_channel<int>();
            tx.send(1).value();
            auto copy = tx;
            { auto gone = std::move(tx); }
            CHECK_FALSE(rx.is_closed());  // a sender is left
            { auto gone = std::move(copy); }
            CHECK(rx.is_closed());
            CHECK(rx.len() == 1);
            auto got9 = co_await rx.recv();
            CHECK(*got9 == 1);
            CHECK(rx.is_empty());
            rx.close();
            CHECK(rx.len() == 0);
        }
        {
            auto [tx, rx] = mpsc::unbounded_channel<int>();
            rx.close();
            for (int i = 0; i < 10; ++i) CHECK(tx.send(i).is_err());
            CHECK(rx.len() == 0);  // sends refused after close() are not counted
        }
    }());
}

TEST_CASE("mpsc weak senders do not keep the channel open and upgrade while a sender lives",
          "[sync][mpsc]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(4);
        auto weak = tx.downgrade();
        CHECK(weak.strong_count() == 1);
        {
            auto strong = weak.upgrade();
            REQUIRE(strong);
            CHECK(tx.strong_count() == 2);
            (co_await strong->send(7)).value();
        }
        CHECK(tx.strong_count() == 1);
        auto weak_copy = weak;
        { auto gone = std::move(tx); }  // the last Sender: the channel closes despite the weak ones
        auto got10 = co_await rx.recv();
        CHECK(*got10 == 7);
        auto got11 = co_await rx.recv();
        CHECK_FALSE(got11);
        CHECK_FALSE(weak.upgrade());
        CHECK_FALSE(weak_copy.upgrade());
        CHECK(weak.strong_count() == 0);
    }());
    // A weak sender may outlive the receiver and every sender: the channel goes with the last
    // handle of any kind.
    auto keep = [] {
        auto [tx, rx] = mpsc::unbounded_channel<std::string>();
        tx.send("buffered").value();
        return tx.downgrade();
    }();
    CHECK_FALSE(keep.upgrade());
}

TEST_CASE("unbounded mpsc weak senders upgrade while a sender lives", "[sync][mpsc]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        auto weak = tx.downgrade();
        auto strong = weak.upgrade();
        REQUIRE(strong);
        { auto gone = std::move(tx); }
        strong->send(1).value();  // the upgraded sender keeps it open
        CHECK_FALSE(rx.is_closed());
        { auto gone = std::move(*strong); }
        CHECK(rx.is_closed());
        auto got12 = co_await rx.recv();
        CHECK(*got12 == 1);
        auto got13 = co_await rx.recv();
        CHECK_FALSE(got13);
        CHECK_FALSE(weak.upgrade());
    }());
}

TEST_CASE("mpsc reserve_many holds capacity for n messages and gives back what is unused",
          "[sync][mpsc]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto [tx, rx] = mpsc::channel<int>(4);
        {
            auto permits = (co_await tx.reserve_many(3)).value();
            CHECK(permits.len() == 3);
            CHECK(tx.capacity() == 1);
            CHECK(tx.try_reserve_many(2).error().is_full());
            permits.next()->send(1);
            permits.next()->send(2);
            CHECK(permits.len() == 1);
        }  // the third permit, unused, comes back
        CHECK(tx.capacity() == 2);
        CHECK(rx.len() == 2);

        // Waiting: reserve_many(3) needs a message received first.
        auto waiter = spawn([](mpsc::Sender<int> tx) -> Task<std::size_t> {
            auto permits = (co_await tx.reserve_many(3)).value();
            std::size_t n = 0;
            while (auto p = permits.next()) p->send(100 + static_cast<int>(n++));
            co_return n;
        }(tx));
        co_await time::sleep(5ms);
        auto got14 = co_await rx.recv();
        CHECK(*got14 == 1);
        auto got15 = co_await waiter;
        CHECK(got15 == 3);
        CHECK(rx.len() == 4);

        // More than the channel can ever hold, and zero.
        auto got16 = co_await tx.reserve_many(5);
        CHECK(got16.is_err());
        CHECK(tx.try_reserve_many(5).error().is_full());
        auto got17 = co_await tx.reserve_many(0);
        CHECK(got17.value().len() == 0);
        CHECK(tx.try_reserve_many(0).value().len() == 0);

        // Closed.
        rx.close();
        auto got18 = co_await tx.reserve_many(1);
        CHECK(got18.is_err());
        CHECK(tx.try_reserve_many(1).error().is_closed());
    }());
}

TEST_CASE("mpsc send_timeout sends when capacity frees in time and gives the value back if not",
          "[sync][mpsc][time]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        time::pause();  // the timeouts elapse at their instants, without waiting
        auto [tx, rx] = mpsc::channel<std::string>(1);
        (co_await tx.send_timeout("first", 10ms)).value();  // capacity free: sent at once

        auto full = co_await tx.send_timeout("second", 50ms);
        REQUIRE(full.is_err());
        CHECK(full.error().is_timeout());
        CHECK(full.error().value == "second");
        CHECK(rx.len() == 1);

        auto drain = spawn([](mpsc::Receiver<std::string>& rx) -> Task<void> {
            co_await time::sleep(20ms);
            auto got19 = co_await rx.recv();
            CHECK(*got19 == "first");
        }(rx));
        (co_await tx.send_timeout("third", 50ms)).value();  // room made after 20 ms
        co_await drain;
        auto got20 = co_await rx.recv();
        CHECK(*got20 == "third");

        rx.close();
        auto closed = co_await tx.send_timeout("fourth", 50ms);
        REQUIRE(closed.is_err());
        CHECK(closed.error().is_closed());
        CHECK(closed.error().value == "fourth");
    }());
}
