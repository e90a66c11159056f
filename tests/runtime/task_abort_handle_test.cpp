// Specification of weft::AbortHandle: aborting through it, its life apart from the JoinHandle,
// copies, id and is_finished, and the handle JoinSet::spawn returns.
#include <catch2/catch.hpp>

#include <atomic>

#include "runtime/task/join_set.hpp"
#include "support.hpp"

using namespace weft;
using weft::test::DropCounter;

namespace {

Task<int> forever(std::atomic<int>& live) {
    DropCounter guard(live);
    for (;;) co_await yield_now();
}
Task<int> value(int v) { co_return v; }

}  // namespace

TEST_CASE("an AbortHandle aborts its task, whose JoinHandle then reports cancelled",
          "[task][abort_handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        auto h = spawn(forever(live));
        AbortHandle a = h.abort_handle();
        CHECK(a.valid());
        CHECK(a.id() == h.id());
        CHECK_FALSE(a.is_finished());
        a.abort();
        bool cancelled = false;
        try {
            (void)co_await h;
        } catch (const JoinError& e) {
            cancelled = e.is_cancelled();
        }
        CHECK(cancelled);
        CHECK(a.is_finished());
        CHECK(live.load() == 0);
    }(live));
}

TEST_CASE("an AbortHandle outlives its JoinHandle and aborting a finished task does nothing",
          "[task][abort_handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        AbortHandle a;
        CHECK_FALSE(a.valid());
        CHECK(a.id() == 0);
        a.abort();  // empty: nothing to do
        {
            auto h = spawn(forever(live));
            a = h.abort_handle();
        }  // the JoinHandle is dropped: the task runs on, detached
        AbortHandle copy = a;
        CHECK(copy.id() == a.id());
        while (live.load() == 0) co_await yield_now();
        copy.abort();
        while (!a.is_finished()) co_await yield_now();
        CHECK(live.load() == 0);

        auto done = spawn(value(5));
        AbortHandle b = done.abort_handle();
        while (!b.is_finished()) co_await yield_now();
        b.abort();  // finished: the value stays
        CHECK(co_await done == 5);
    }(live));
}

TEST_CASE("JoinSet::spawn returns an AbortHandle for that one task", "[task][abort_handle]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        JoinSet<int> set;
        AbortHandle stuck = set.spawn(forever(live));
        set.spawn(value(7));
        stuck.abort();
        int values = 0, cancelled = 0;
        for (;;) {
            auto r = co_await set.join_next();
            if (!r) break;
            if (r->is_ok()) {
                CHECK(**r == 7);
                ++values;
            } else {
                CHECK(r->error().is_cancelled());
                CHECK(r->error().id() == stuck.id());
                ++cancelled;
            }
        }
        CHECK(values == 1);
        CHECK(cancelled == 1);
    }(live));
}
