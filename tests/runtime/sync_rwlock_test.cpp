// Specification of weft::sync::RwLock: shared readers, exclusive writers, a queued writer blocking
// later readers, max_readers, try_read/try_write, downgrade, mapped guards and try_downgrade_map.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
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

namespace {
struct Record {
    int id = 0;
    std::string name;
    std::vector<int> items;
};
}  // namespace

TEST_CASE("rwlock: a read guard maps to a part of the value and keeps the read lock",
          "[sync][rwlock]") {
    RwLock<Record> l(Record{1, "one", {}});
    auto r = l.try_read();
    REQUIRE(r.is_ok());
    auto name = std::move(*r).map([](const Record& rec) -> const std::string& { return rec.name; });
    CHECK(*name == "one");
    CHECK(name->size() == 3);
    CHECK(l.try_write().is_err());  // the mapped guard still holds the read lock
    CHECK(l.try_read().is_ok());    // and shares it
    auto first = std::move(name).map([](const std::string& s) -> const char& { return s[0]; });
    CHECK(*first == 'o');
    first.unlock();
    CHECK(l.try_write().is_ok());
}

TEST_CASE("rwlock: try_map with nothing to map to gives the guard back, still locked",
          "[sync][rwlock]") {
    RwLock<Record> l(Record{1, "one", {}});
    auto r = l.try_read();
    REQUIRE(r.is_ok());
    auto none = std::move(*r).try_map(
        [](const Record& rec) { return rec.items.empty() ? nullptr : &rec.items[0]; });
    REQUIRE(none.is_err());
    CHECK(none.error()->id == 1);   // the original read guard
    CHECK(l.try_write().is_err());  // still held
    auto some = std::move(none).error().try_map([](const Record& rec) { return &rec.id; });
    REQUIRE(some.is_ok());
    CHECK(**some == 1);
    CHECK(l.try_write().is_err());
    { auto release = std::move(*some); }
    CHECK(l.try_write().is_ok());
}

TEST_CASE("rwlock: a write guard maps to a mutable part and keeps the write lock",
          "[sync][rwlock]") {
    RwLock<Record> l(Record{1, "one", {}});
    {
        auto w = l.try_write();
        REQUIRE(w.is_ok());
        auto items = std::move(*w).map([](Record& rec) -> std::vector<int>& { return rec.items; });
        items->push_back(7);
        CHECK(l.try_read().is_err());  // still exclusive
        auto missing = std::move(items).try_map(
            [](std::vector<int>& v) { return v.size() > 5 ? &v[5] : nullptr; });
        REQUIRE(missing.is_err());
        CHECK(l.try_read().is_err());  // the mapped write guard came back, still exclusive
        auto seven = std::move(missing).error().try_map([](std::vector<int>& v) { return &v[0]; });
        REQUIRE(seven.is_ok());
        **seven = 8;
    }
    auto r = l.try_read();
    REQUIRE(r.is_ok());
    CHECK((*r)->items == std::vector<int>{8});
}

TEST_CASE(
    "rwlock: downgrade_map keeps a read lock on the part, lets waiting readers in and "
    "keeps writers out",
    "[sync][rwlock]") {
    ManualPoll mp;
    RwLock<Record> l(Record{1, "one", {}});
    auto w = l.try_write();
    REQUIRE(w.is_ok());
    (*w)->id = 2;
    std::atomic<int> wr{0}, ww{0};
    auto reader = l.read();
    CHECK_FALSE(mp.poll(reader, wr));
    auto writer = l.write();
    CHECK_FALSE(mp.poll(writer, ww));
    auto id = std::move(*w).downgrade_map([](const Record& rec) -> const int& { return rec.id; });
    CHECK(*id == 2);        // no writer got in between
    CHECK(wr.load() == 1);  // the waiting reader was let in
    REQUIRE(mp.poll(reader, wr));
    CHECK(reader.await_resume()->id == 2);
    CHECK_FALSE(mp.poll(writer, ww));  // still held for reading by `id`
    { auto release = std::move(id); }
    CHECK(mp.poll(writer, ww));
}

TEST_CASE(
    "rwlock: try_downgrade_map downgrades only when there is a part, else the write guard "
    "stays a write guard",
    "[sync][rwlock]") {
    ManualPoll mp;
    RwLock<Record> l(Record{1, "one", {}});
    auto w = l.try_write();
    REQUIRE(w.is_ok());
    std::atomic<int> wr{0};
    auto reader = l.read();
    CHECK_FALSE(mp.poll(reader, wr));
    auto refused = std::move(*w).try_downgrade_map(
        [](const Record& rec) { return rec.items.empty() ? nullptr : &rec.items.front(); });
    REQUIRE(refused.is_err());
    CHECK(wr.load() == 0);  // not downgraded: the reader still waits
    CHECK_FALSE(mp.poll(reader, wr));
    auto writer = std::move(refused).error();
    writer->items.push_back(3);  // still a write guard
    auto item = std::move(writer).try_downgrade_map(
        [](const Record& rec) { return rec.items.empty() ? nullptr : &rec.items.front(); });
    REQUIRE(item.is_ok());
    CHECK(**item == 3);
    CHECK(wr.load() == 1);  // downgraded: the reader got in
    REQUIRE(mp.poll(reader, wr));
    CHECK(l.try_write().is_err());
}

TEST_CASE("rwlock: a mapped write guard downgrades to a mapped read guard", "[sync][rwlock]") {
    RwLock<Record> l(Record{1, "one", {}});
    auto w = l.try_write();
    REQUIRE(w.is_ok());
    auto name = std::move(*w).map([](Record& rec) -> std::string& { return rec.name; });
    *name = "uno";
    auto read = name.downgrade();
    CHECK(*read == "uno");
    CHECK(l.try_read().is_ok());
    CHECK(l.try_write().is_err());
    CHECK_THROWS_AS(name.downgrade(), std::logic_error);  // spent
}

TEST_CASE("rwlock: mapping a spent guard throws, and a throwing map leaves the guard as it was",
          "[sync][rwlock]") {
    RwLock<Record> l(Record{1, "one", {}});
    auto w = l.try_write();
    REQUIRE(w.is_ok());
    auto identity = [](Record& rec) -> Record& { return rec; };
    CHECK_THROWS_AS(std::move(*w).map([](Record&) -> Record& { throw std::runtime_error("no"); }),
                    std::runtime_error);
    (*w)->id = 5;  // still the write guard
    auto mapped = std::move(*w).map(identity);
    CHECK_THROWS_AS(std::move(*w).map(identity), std::logic_error);
    CHECK_THROWS_AS(std::move(*w).try_downgrade_map([](const Record& r) { return &r.id; }),
                    std::logic_error);
    CHECK(mapped->id == 5);
}
