// Specification of weft::sync::RwLock: shared readers, exclusive writers, a queued writer blocking
// later readers, max_readers, try_read/try_write.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/rwlock.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::RwLock;
using weft::test::ManualPoll;

TEST_CASE("rwlock: readers share, a writer excludes everyone", "[sync][rwlock]") {
    RwLock<int> l(5);
    {
        auto r1 = l.try_read();
        auto r2 = l.try_read();
        REQUIRE(r1.is_ok());
        REQUIRE(r2.is_ok());
        CHECK(**r1 + **r2 == 10);
        CHECK(l.try_write().is_err());
    }
    {
        auto w = l.try_write();
        REQUIRE(w.is_ok());
        **w = 6;
        CHECK(l.try_read().is_err());
        CHECK(l.try_write().is_err());
    }
    CHECK(**l.try_read() == 6);
}

TEST_CASE("rwlock: a queued writer blocks readers that come after it", "[sync][rwlock]") {
    ManualPoll mp;
    RwLock<int> l(0);
    auto first = l.try_read();
    REQUIRE(first.is_ok());
    std::atomic<int> ww{0}, wr{0};
    auto w = l.write();
    auto r = l.read();
    CHECK_FALSE(mp.poll(w, ww));
    CHECK_FALSE(mp.poll(r, wr));  // would fit beside `first`, but the writer is ahead
    CHECK(l.try_read().is_err());
    { auto release = std::move(*first); }
    CHECK(ww.load() == 1);
    CHECK(wr.load() == 0);
    CHECK(mp.poll(w, ww));
    {
        auto guard = w.await_resume();
        *guard = 1;
    }
    CHECK(wr.load() == 1);
    CHECK(mp.poll(r, wr));
    CHECK(*r.await_resume() == 1);
}

TEST_CASE("rwlock: with_max_readers bounds concurrent readers", "[sync][rwlock]") {
    ManualPoll mp;
    auto l = RwLock<int>::with_max_readers(2, 0);
    auto a = l.try_read();
    auto b = l.try_read();
    CHECK(a.is_ok());
    CHECK(b.is_ok());
    CHECK(l.try_read().is_err());
    std::atomic<int> w{0};
    auto c = l.read();
    CHECK_FALSE(mp.poll(c, w));
    { auto release = std::move(*a); }
    CHECK(mp.poll(c, w));
    CHECK_THROWS_AS(RwLock<int>::with_max_readers(0, 0), std::invalid_argument);
}

TEST_CASE("rwlock under concurrent readers and writers", "[sync][rwlock]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        RwLock<long> l(0);
        std::atomic<int> writers_in{0};
        std::atomic<bool> bad{false};
        std::vector<JoinHandle<void>> tasks;
        for (int t = 0; t < 6; ++t) {
            tasks.push_back(spawn([](RwLock<long>& l, std::atomic<int>& wi, std::atomic<bool>& bad,
                                     bool writer) -> Task<void> {
                for (int i = 0; i < 100; ++i) {
                    if (writer) {
                        auto g = co_await l.write();
                        if (wi.fetch_add(1) != 0) bad.store(true);
                        long v = *g;
                        co_await yield_now();
                        *g = v + 1;
                        wi.fetch_sub(1);
                    } else {
                        auto g = co_await l.read();
                        if (wi.load() != 0) bad.store(true);
                        co_await yield_now();
                    }
                }
            }(l, writers_in, bad, t % 2 == 0)));
        }
        for (auto& h : tasks) co_await h;
        CHECK_FALSE(bad.load());
        CHECK(l.get_mut() == 300);
    }());
}

TEST_CASE("rwlock: a dropped write() waiting at the head lets the readers behind it in",
          "[sync][rwlock]") {
    ManualPoll mp;
    RwLock<int> l(0);
    auto first = l.try_read();
    REQUIRE(first.is_ok());
    std::atomic<int> ww{0}, wr{0};
    auto r = l.read();
    {
        auto w = l.write();
        CHECK_FALSE(mp.poll(w, ww));  // collects every permit but the one `first` holds
        CHECK_FALSE(mp.poll(r, wr));  // behind the writer
        CHECK(l.try_read().is_err());
    }  // the writer gives back what it had collected: the reader behind it goes in
    CHECK(wr.load() == 1);
    CHECK(mp.poll(r, wr));
    {
        auto g = r.await_resume();
        CHECK(l.try_read().is_ok());
        CHECK(l.try_write().is_err());
    }
    { auto release = std::move(*first); }
    CHECK(l.try_write().is_ok());  // no permit leaked
}

TEST_CASE("rwlock: aborting tasks waiting in read() or write() never leaves it locked",
          "[sync][rwlock]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        RwLock<int> l(0);
        auto held = co_await l.read();
        std::vector<JoinHandle<void>> waiters;
        for (int i = 0; i < 6; ++i) {
            waiters.push_back(spawn([](RwLock<int>& l, bool writer) -> Task<void> {
                if (writer) {
                    auto g = co_await l.write();
                    *g += 1;
                } else {
                    auto g = co_await l.read();
                    (void)*g;
                }
            }(l, i % 2 == 0)));
        }
        co_await yield_now();
        held.unlock();
        co_await weft::test::abort_and_join(waiters);
        auto w = l.try_write();
        CHECK(w.is_ok());
    }());
}

TEST_CASE("rwlock: downgrade keeps a read lock, lets waiting readers in and keeps writers out",
          "[sync][rwlock]") {
    ManualPoll mp;
    RwLock<int> l(0);
    auto w = l.try_write();
    REQUIRE(w.is_ok());
    **w = 5;
    std::atomic<int> wr{0}, ww{0};
    auto reader = l.read();
    CHECK_FALSE(mp.poll(reader, wr));  // waits behind the writer
    auto writer = l.write();
    CHECK_FALSE(mp.poll(writer, ww));
    auto down = w->downgrade();
    CHECK(*down == 5);      // no writer got in between
    CHECK(wr.load() == 1);  // the waiting reader was let in
    REQUIRE(mp.poll(reader, wr));
    CHECK(*reader.await_resume() == 5);
    CHECK_FALSE(mp.poll(writer, ww));                   // still held for reading by `down`
    CHECK_THROWS_AS(w->downgrade(), std::logic_error);  // spent
    { auto release = std::move(down); }
    CHECK(mp.poll(writer, ww));
}
