// Specification of CancellationToken::run_until_cancelled (and its owned form): the value when
// the awaitable finishes first, nullopt when the token is cancelled first (checked first, so an
// already cancelled token polls nothing), the awaitable dropped on cancellation.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <optional>

#include "runtime/sync/cancellation_token.hpp"
#include "runtime/sync/mpsc.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
using weft::sync::CancellationToken;
using weft::test::DropCounter;

namespace {
Task<int> slow(std::atomic<int>& live, std::chrono::milliseconds d, int v) {
    DropCounter guard(live);
    co_await time::sleep(d);
    co_return v;
}
}  // namespace

TEST_CASE("run_until_cancelled gives the value when the awaitable finishes first",
          "[sync][cancellation_token]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        CancellationToken token;
        std::atomic<int> live{0};
        auto v = co_await token.run_until_cancelled(slow(live, 1ms, 5));
        REQUIRE(v);
        CHECK(*v == 5);
        auto slept = co_await token.run_until_cancelled(time::sleep(1ms));  // void: a bool
        CHECK(slept);
    }());
}

TEST_CASE("run_until_cancelled gives nullopt and drops the awaitable when cancelled first",
          "[sync][cancellation_token]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        CancellationToken parent;
        auto token = parent.child_token();
        std::atomic<int> live{0};
        auto canceller = spawn([](CancellationToken t) -> Task<void> {
            co_await time::sleep(5ms);
            t.cancel();
        }(parent));
        auto v = co_await token.run_until_cancelled(slow(live, 10s, 5));
        CHECK_FALSE(v);
        CHECK(live == 0);  // the Task was destroyed with the awaitable
        co_await canceller;

        // Already cancelled: nothing is polled, even an awaitable that is ready at once.
        auto [tx, rx] = sync::mpsc::channel<int>(1);
        tx.try_send(1).value();
        auto got = co_await token.run_until_cancelled(rx.recv());
        CHECK_FALSE(got);
        CHECK(rx.try_recv().value() == 1);  // the message was not taken
        auto slept = co_await token.run_until_cancelled(time::sleep(0ms));
        CHECK_FALSE(slept);
    }());
}

TEST_CASE("run_until_cancelled_owned keeps the token alive for the await",
          "[sync][cancellation_token]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        std::optional<CancellationToken> token(std::in_place);
        auto canceller = spawn([](CancellationToken t) -> Task<void> {
            co_await time::sleep(5ms);
            t.cancel();
        }(*token));
        auto run = token->run_until_cancelled_owned(slow(live, 10s, 1));
        token.reset();  // the handle goes; the awaitable's copy remains
        auto v = co_await run;
        CHECK_FALSE(v);
        co_await canceller;
    }());
}
