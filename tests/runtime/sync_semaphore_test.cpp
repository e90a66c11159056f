// Specification of weft::sync::Semaphore: permits, RAII and forget, try_acquire, FIFO fairness
// with acquire_many at the head, partial assignment, close, cancellation returning permits, owned
// permits, coop budget.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/semaphore.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::Semaphore;
using weft::test::ManualPoll;

TEST_CASE("semaphore permits are given back when the permit is destroyed", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Semaphore sem(3);
        {
            auto one = (co_await sem.acquire()).value();
            CHECK(one.num_permits() == 1);
            CHECK(sem.available_permits() == 2);
            auto two = (co_await sem.acquire_many(2)).value();
            CHECK(sem.available_permits() == 0);
            CHECK(sem.try_acquire().error().is_no_permits());
        }
        CHECK(sem.available_permits() == 3);
        {
            auto p = sem.try_acquire_many(2);
            REQUIRE(p.is_ok());
            p->forget();
        }
        CHECK(sem.available_permits() == 1);  // forgotten permits stay consumed
        sem.add_permits(4);
        CHECK(sem.available_permits() == 5);
        auto none = co_await sem.acquire_many(0);
        CHECK(none.is_ok());
        CHECK(sem.available_permits() == 5);
    }());
}

TEST_CASE("semaphore: a waiting acquire_many at the head blocks later small acquires",
          "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(1);
    std::atomic<int> wb{0}, ws{0};
    auto big = sem.acquire_many(3);
    auto small = sem.acquire();
    CHECK_FALSE(mp.poll(big, wb));  // takes the 1 free permit, needs 2 more
    CHECK(sem.available_permits() == 0);
    CHECK_FALSE(mp.poll(small, ws));
    sem.add_permits(1);  // goes to the head, still short of 1
    CHECK(wb.load() == 0);
    CHECK(ws.load() == 0);
    CHECK(sem.try_acquire().error().is_no_permits());
    sem.add_permits(2);  // head done (1), then `small` (1)
    CHECK(wb.load() == 1);
    CHECK(ws.load() == 1);
    CHECK(mp.poll(big, wb));
    CHECK(mp.poll(small, ws));
    auto pb = big.await_resume().value();
    auto ps = small.await_resume().value();
    CHECK(pb.num_permits() == 3);
    CHECK(sem.available_permits() == 0);
}

TEST_CASE("semaphore: a dropped acquire gives back its partially assigned permits",
          "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(0);
    std::atomic<int> wa{0}, wb{0};
    auto b = sem.acquire();
    {
        auto a = sem.acquire_many(5);
        CHECK_FALSE(mp.poll(a, wa));
        CHECK_FALSE(mp.poll(b, wb));
        sem.add_permits(3);  // all three assigned to `a`
        CHECK(sem.available_permits() == 0);
        CHECK(wb.load() == 0);
    }  // `a` is dropped: its 3 permits go to `b` (1) and back to the pool (2)
    CHECK(wb.load() == 1);
    CHECK(mp.poll(b, wb));
    CHECK(sem.available_permits() == 2);
    { auto p = b.await_resume().value(); }
    CHECK(sem.available_permits() == 3);
}

TEST_CASE("semaphore: a completed acquire that is never resumed gives its permits back",
          "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(2);
    std::atomic<int> w{0};
    {
        auto a = sem.acquire_many(2);
        CHECK(mp.poll(a, w));
        CHECK(sem.available_permits() == 0);
    }
    CHECK(sem.available_permits() == 2);
}

TEST_CASE("semaphore close fails waiting and later acquires", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Semaphore sem(1);
        auto held = (co_await sem.acquire()).value();
        auto waiter = spawn([](Semaphore& s) -> Task<bool> {
            auto r = co_await s.acquire();
            co_return r.is_err();
        }(sem));
        co_await yield_now();
        sem.close();
        CHECK(sem.is_closed());
        bool failed = co_await waiter;
        CHECK(failed);
        auto later = co_await sem.acquire();
        CHECK(later.is_err());
        CHECK(sem.try_acquire().error().is_closed());
        { auto drop = std::move(held); }
        CHECK(sem.available_permits() == 1);  // released permits are still counted
    }());
}

TEST_CASE("semaphore: aborting tasks blocked in acquire leaks no permit", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        Semaphore sem(4);
        auto held = (co_await sem.acquire_many(4)).value();
        std::vector<JoinHandle<void>> blocked;
        for (std::uint32_t n = 1; n <= 4; ++n) {
            blocked.push_back(spawn([](Semaphore& s, std::uint32_t n) -> Task<void> {
                auto p = co_await s.acquire_many(n);
                co_await yield_now();
            }(sem, n)));
        }
        co_await yield_now();
        { auto release = std::move(held); }  // 4 permits go to the waiters in order
        co_await weft::test::abort_and_join(blocked);
        CHECK(sem.available_permits() == 4);
    }());
}

TEST_CASE("semaphore bounds concurrency and serves every waiter", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto sem = std::make_shared<Semaphore>(3);
        std::atomic<int> inside{0}, max_inside{0}, done{0};
        std::vector<JoinHandle<void>> tasks;
        for (int t = 0; t < 20; ++t) {
            tasks.push_back(spawn([](std::shared_ptr<Semaphore> s, std::atomic<int>& in,
                                     std::atomic<int>& mx, std::atomic<int>& d) -> Task<void> {
                for (int i = 0; i < 50; ++i) {
                    auto p = (co_await Semaphore::acquire_owned(s)).value();
                    int now = in.fetch_add(1) + 1;
                    int prev = mx.load();
                    while (now > prev && !mx.compare_exchange_weak(prev, now)) {
                    }
                    co_await yield_now();
                    in.fetch_sub(1);
                }
                d.fetch_add(1);
            }(sem, inside, max_inside, done)));
        }
        for (auto& t : tasks) co_await t;
        CHECK(done.load() == 20);
        CHECK(max_inside.load() <= 3);
        CHECK(sem->available_permits() == 3);
    }());
}

TEST_CASE("owned semaphore permits keep the semaphore alive", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto sem = std::make_shared<Semaphore>(2);
        std::weak_ptr<Semaphore> weak = sem;
        auto permit = Semaphore::try_acquire_many_owned(sem, 2);
        REQUIRE(permit.is_ok());
        CHECK(Semaphore::try_acquire_owned(sem).error().is_no_permits());
        sem.reset();
        CHECK_FALSE(weak.expired());
        CHECK((*permit).semaphore()->available_permits() == 0);
        { auto drop = std::move(*permit); }
        CHECK(weak.expired());
        co_return;
    }());
}

TEST_CASE("semaphore rejects too many permits", "[sync][semaphore]") {
    CHECK_THROWS_AS(Semaphore(Semaphore::kMaxPermits + 1), std::invalid_argument);
    Semaphore sem(Semaphore::kMaxPermits);
    CHECK_THROWS_AS(sem.add_permits(1), std::overflow_error);
}

TEST_CASE("semaphore acquire spends coop budget", "[sync][semaphore]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    bool other_ran = rt.block_on([]() -> Task<bool> {
        Semaphore sem(1);
        std::atomic<bool> ran{false};
        auto other = spawn([](std::atomic<bool>& r) -> Task<void> {
            r.store(true);
            co_return;
        }(ran));
        bool seen = false;
        for (int i = 0; i < 10'000 && !seen; ++i) {
            auto p = co_await sem.acquire();  // always ready
            seen = ran.load();
        }
        co_await other;
        co_return seen;
    }());
    CHECK(other_ran);
}

TEST_CASE("semaphore: close fails a partially served acquire_many and returns what it had",
          "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(2);
    std::atomic<int> wa{0}, wb{0};
    auto a = sem.acquire_many(5);
    auto b = sem.acquire();
    CHECK_FALSE(mp.poll(a, wa));  // holds the 2 free permits, needs 3 more
    CHECK_FALSE(mp.poll(b, wb));
    sem.add_permits(1);  // to `a`
    CHECK(sem.available_permits() == 0);
    sem.close();
    CHECK(wa.load() == 1);
    CHECK(wb.load() == 1);
    CHECK(mp.poll(a, wa));
    CHECK(a.await_resume().is_err());
    CHECK(mp.poll(b, wb));
    CHECK(b.await_resume().is_err());
    CHECK(sem.available_permits() == 3);  // nothing leaked
    CHECK(sem.try_acquire().error().is_closed());
}

TEST_CASE("semaphore: single-permit waiters are served in arrival order", "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(0);
    std::atomic<int> w[3] = {};
    auto first = sem.acquire();
    auto second = sem.acquire();
    auto third = sem.acquire();
    CHECK_FALSE(mp.poll(first, w[0]));
    CHECK_FALSE(mp.poll(second, w[1]));
    CHECK_FALSE(mp.poll(third, w[2]));
    CHECK(sem.try_acquire().error().is_no_permits());
    sem.add_permits(1);
    CHECK(w[0].load() == 1);
    CHECK(w[1].load() == 0);
    sem.add_permits(1);
    CHECK(w[1].load() == 1);
    CHECK(w[2].load() == 0);
    CHECK(mp.poll(first, w[0]));
    CHECK(mp.poll(second, w[1]));
    CHECK_FALSE(mp.poll(third, w[2]));
    { auto p1 = first.await_resume().value(); }  // released: goes to `third`
    CHECK(w[2].load() == 1);
    CHECK(mp.poll(third, w[2]));
    auto p2 = second.await_resume().value();
    auto p3 = third.await_resume().value();
    CHECK(sem.available_permits() == 0);
}

TEST_CASE("semaphore forget_permits removes only free permits and says how many",
          "[sync][semaphore]") {
    ManualPoll mp;
    Semaphore sem(5);
    auto held = sem.try_acquire_many(2).value();
    CHECK(sem.forget_permits(1) == 1);
    CHECK(sem.available_permits() == 2);
    CHECK(sem.forget_permits(10) == 2);  // only two were free
    CHECK(sem.available_permits() == 0);
    CHECK(sem.forget_permits(1) == 0);
    // A waiter is assigned released permits before anyone may forget them.
    std::atomic<int> wakes{0};
    auto waiter = sem.acquire_many(2);
    CHECK_FALSE(mp.poll(waiter, wakes));
    held = sem.try_acquire_many(0).value();  // gives the two held permits back: to the waiter
    CHECK(wakes == 1);
    CHECK(sem.forget_permits(2) == 0);
    REQUIRE(mp.poll(waiter, wakes));
    CHECK(waiter.await_resume().value().num_permits() == 2);
    CHECK(sem.available_permits() == 2);  // the waiter's permit, dropped at once, came back
    sem.close();
    CHECK(sem.forget_permits(5) == 2);  // closing does not stop it
}

TEST_CASE("semaphore permits merge and split within one semaphore", "[sync][semaphore]") {
    Semaphore sem(10);
    Semaphore other(10);
    {
        auto a = sem.try_acquire_many(3).value();
        auto b = sem.try_acquire_many(2).value();
        a.merge(std::move(b));
        CHECK(a.num_permits() == 5);
        CHECK(b.num_permits() == 0);
        CHECK(sem.available_permits() == 5);

        auto part = a.split(4);
        REQUIRE(part);
        CHECK(part->num_permits() == 4);
        CHECK(a.num_permits() == 1);
        CHECK_FALSE(a.split(2));  // holds one: nothing moves
        CHECK(a.num_permits() == 1);
        auto zero = a.split(0);
        REQUIRE(zero);
        CHECK(zero->num_permits() == 0);

        part.reset();  // the split-off permits go back on their own
        CHECK(sem.available_permits() == 9);

        auto foreign = other.try_acquire().value();
        CHECK_THROWS_AS(a.merge(std::move(foreign)), std::invalid_argument);
        CHECK(foreign.num_permits() == 1);  // a failed merge changes nothing
        CHECK(a.num_permits() == 1);
    }
    CHECK(sem.available_permits() == 10);
    CHECK(other.available_permits() == 10);
}

TEST_CASE("owned semaphore permits merge and split within one semaphore", "[sync][semaphore]") {
    auto sem = std::make_shared<Semaphore>(6);
    auto other = std::make_shared<Semaphore>(6);
    {
        auto a = Semaphore::try_acquire_many_owned(sem, 2).value();
        a.merge(Semaphore::try_acquire_many_owned(sem, 3).value());
        CHECK(a.num_permits() == 5);
        auto part = a.split(5);
        REQUIRE(part);
        CHECK(part->semaphore() == sem);
        CHECK(a.num_permits() == 0);
        CHECK_FALSE(a.split(1));
        auto foreign = Semaphore::try_acquire_owned(other).value();
        CHECK_THROWS_AS(part->merge(std::move(foreign)), std::invalid_argument);
        a.merge(std::move(foreign));  // `a` holds none: it takes the other semaphore's permit
        CHECK(a.semaphore() == other);
        CHECK(other->available_permits() == 5);
    }
    CHECK(sem->available_permits() == 6);
    CHECK(other->available_permits() == 6);
}
