// Specification of weft::sync::Mutex: exclusion across awaits, try_lock, FIFO order, cancelled
// lock() passing the lock on.
#include <catch2/catch.hpp>

#include <atomic>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/mutex.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::Mutex;
using weft::test::ManualPoll;

TEST_CASE("mutex excludes holders even across awaits", "[sync][mutex]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Mutex<long> counter(0);
        std::atomic<int> inside{0};
        std::atomic<bool> overlap{false};
        std::vector<JoinHandle<void>> tasks;
        for (int t = 0; t < 8; ++t) {
            tasks.push_back(spawn(
                [](Mutex<long>& m, std::atomic<int>& in, std::atomic<bool>& ov) -> Task<void> {
                    for (int i = 0; i < 200; ++i) {
                        auto g = co_await m.lock();
                        if (in.fetch_add(1) != 0) ov.store(true);
                        long v = *g;
                        co_await yield_now();  // held across an await
                        *g = v + 1;
                        in.fetch_sub(1);
                    }
                }(counter, inside, overlap)));
        }
        for (auto& h : tasks) co_await h;
        CHECK_FALSE(overlap.load());
        CHECK(counter.get_mut() == 8 * 200);
    }());
}

TEST_CASE("mutex try_lock fails while locked", "[sync][mutex]") {
    Mutex<int> m(1);
    {
        auto g = m.try_lock();
        REQUIRE(g.is_ok());
        **g = 2;
        CHECK(m.try_lock().is_err());
    }
    auto g = m.try_lock();
    REQUIRE(g.is_ok());
    CHECK(**g == 2);
}

TEST_CASE("mutex serves lock() calls in FIFO order; a dropped one passes the lock on",
          "[sync][mutex]") {
    ManualPoll mp;
    Mutex<int> m(0);
    auto held = m.try_lock();
    REQUIRE(held.is_ok());
    std::atomic<int> wa{0}, wb{0}, wc{0};
    auto b = m.lock();
    auto c = m.lock();
    {
        auto a = m.lock();
        CHECK_FALSE(mp.poll(a, wa));
        CHECK_FALSE(mp.poll(b, wb));
        CHECK_FALSE(mp.poll(c, wc));
        { auto release = std::move(*held); }
        CHECK(wa.load() == 1);  // handed to `a`...
        CHECK(wb.load() == 0);
    }  // ...which is dropped: `b` is next
    CHECK(wb.load() == 1);
    CHECK(mp.poll(b, wb));
    {
        auto gb = b.await_resume();
        CHECK_FALSE(mp.poll(c, wc));
    }
    CHECK(wc.load() == 1);
    CHECK(mp.poll(c, wc));
    auto gc = c.await_resume();
    CHECK(m.try_lock().is_err());
}

TEST_CASE("mutex: aborting tasks waiting for the lock never leaves it locked", "[sync][mutex]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Mutex<int> m(0);
        auto held = co_await m.lock();
        std::vector<JoinHandle<void>> waiters;
        for (int i = 0; i < 4; ++i) {
            waiters.push_back(spawn([](Mutex<int>& m) -> Task<void> {
                auto g = co_await m.lock();
                *g += 1;
            }(m)));
        }
        co_await yield_now();
        held.unlock();
        co_await weft::test::abort_and_join(waiters);
        auto g = m.try_lock();
        CHECK(g.is_ok());
    }());
}
