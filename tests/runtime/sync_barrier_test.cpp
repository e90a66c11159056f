// Specification of weft::sync::Barrier: one leader per generation, reuse, Barrier(0), a dropped
// wait leaving its generation.
#include <catch2/catch.hpp>

#include <atomic>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/barrier.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::Barrier;
using weft::test::ManualPoll;

TEST_CASE("barrier releases n tasks together with exactly one leader per generation",
          "[sync][barrier]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        constexpr int kTasks = 5, kGenerations = 20;
        Barrier barrier(kTasks);
        std::atomic<int> leaders{0};
        std::atomic<int> phase_done[kGenerations] = {};
        std::atomic<bool> early{false};
        std::vector<JoinHandle<void>> tasks;
        for (int t = 0; t < kTasks; ++t) {
            tasks.push_back(spawn([](Barrier& b, std::atomic<int>& leaders, std::atomic<int>* done,
                                     std::atomic<bool>& early) -> Task<void> {
                for (int g = 0; g < kGenerations; ++g) {
                    done[g].fetch_add(1);
                    auto r = co_await b.wait();
                    if (done[g].load() != kTasks) early.store(true);  // released too soon
                    if (r.is_leader()) leaders.fetch_add(1);
                }
            }(barrier, leaders, phase_done, early)));
        }
        for (auto& h : tasks) co_await h;
        CHECK(leaders.load() == kGenerations);
        CHECK_FALSE(early.load());
    }());
}

TEST_CASE("Barrier(0) behaves as Barrier(1)", "[sync][barrier]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Barrier b(0);
        auto r = co_await b.wait();
        CHECK(r.is_leader());
    }());
}

TEST_CASE("barrier: a dropped wait leaves its generation", "[sync][barrier]") {
    ManualPoll mp;
    Barrier b(2);
    std::atomic<int> w1{0}, w2{0}, w3{0};
    {
        auto gone = b.wait();
        CHECK_FALSE(mp.poll(gone, w1));  // arrived...
    }                                    // ...and left
    auto second = b.wait();
    auto third = b.wait();
    CHECK_FALSE(mp.poll(second, w2));
    CHECK(mp.poll(third, w3));  // the 2nd live arrival leads
    CHECK(third.await_resume().is_leader());
    CHECK(w2.load() == 1);
    CHECK(mp.poll(second, w2));
    CHECK_FALSE(second.await_resume().is_leader());
}
