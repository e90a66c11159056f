// Specification of weft::join and weft::try_join: values in argument order, concurrency inside
// the awaiting task, failures (join waits for all, try_join drops the rest at the first one).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>

#include "runtime/sync/mpsc.hpp"
#include "runtime/task/join.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
using weft::test::DropCounter;

namespace {

Task<int> after(std::chrono::milliseconds d, int v) {
    co_await time::sleep(d);
    co_return v;
}
Task<void> fail_after(std::chrono::milliseconds d) {
    co_await time::sleep(d);
    throw std::runtime_error("failed");
}
Task<std::string> guarded(std::atomic<int>& live, std::chrono::milliseconds d) {
    DropCounter guard(live);
    co_await time::sleep(d);
    co_return "done";
}

}  // namespace

TEST_CASE("join gives every value in argument order and runs them concurrently", "[task][join]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        time::pause();
        const auto start = time::now();
        auto handle = spawn(after(20ms, 3));
        auto [a, b, c, d] =
            co_await join(after(30ms, 1), after(10ms, 2), handle, time::sleep(25ms));
        CHECK(a == 1);
        CHECK(b == 2);
        CHECK(c == 3);
        CHECK(std::is_same_v<decltype(d), std::monostate>);
        CHECK(time::now() - start == 30ms);  // the longest, not the sum
    }());
}

TEST_CASE("join waits for every awaitable, then rethrows the first failure", "[task][join]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        time::pause();
        std::atomic<int> live{0};
        const auto start = time::now();
        bool thrown = false;
        try {
            (void)co_await join(fail_after(5ms), guarded(live, 40ms));
        } catch (const std::runtime_error& e) {
            thrown = std::string(e.what()) == "failed";
        }
        CHECK(thrown);
        CHECK(time::now() - start == 40ms);  // the other one ran to its end
        CHECK(live == 0);
    }());
}

TEST_CASE("try_join drops the others at the first failure and rethrows it", "[task][join]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        auto [tx, rx] = sync::mpsc::channel<int>(1);
        const auto start = time::now();
        bool thrown = false;
        try {
            (void)co_await try_join(guarded(live, 10s), rx.recv(), fail_after(5ms));
        } catch (const std::runtime_error&) {
            thrown = true;
            CHECK(live == 0);  // the 10 s task was dropped at once, its destructors ran
        }
        CHECK(thrown);
        CHECK(time::now() - start < 5s);
        // The dropped recv() took nothing: a message sent now is still there.
        tx.try_send(7).value();
        CHECK(rx.try_recv().value() == 7);
    }());
}

TEST_CASE("try_join of awaitables that all succeed gives their values", "[task][join]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto h = spawn(after(1ms, 40));
        auto [x, y] = co_await try_join(h, after(2ms, 2));
        CHECK(x + y == 42);
    }());
}

TEST_CASE("try_join rethrows the JoinError of an aborted task and drops the rest", "[task][join]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        auto victim = spawn(after(10s, 0));
        victim.abort();
        bool cancelled = false;
        try {
            (void)co_await try_join(guarded(live, 10s), victim);
        } catch (const JoinError& e) {
            cancelled = e.is_cancelled();
        }
        CHECK(cancelled);
        CHECK(live == 0);
    }());
}
