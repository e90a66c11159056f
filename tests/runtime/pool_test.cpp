// Specification of weft::pool::Pool with a counting resource: bounds, reuse, FIFO waiters,
// acquire timeout, broken resources, recycle, min_idle, idle and lifetime eviction, create
// failures with backoff logged once per burst, cancellation of a waiting acquire, close.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/pool/pool.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
using pool::Pool;
using pool::PoolConfig;
using weft::test::eventually;

namespace {

// Resources are numbered 1, 2, ... in the order they are created; counts what is open.
struct Counter {
    std::atomic<int> created{0};
    std::atomic<int> open{0};
    std::atomic<int> destroyed{0};
    std::atomic<int> fail_next{0};       // creates that fail before one succeeds
    std::atomic<bool> hang{false};       // creates that never finish
    std::atomic<int> recycle_reject{0};  // ids whose recycle check fails
    std::mutex log_mutex;
    std::vector<std::string> warnings, infos;
};

// A resource keeps its counter alive: a destroy task cancelled by the runtime's shutdown drops
// its frame's parameters in an order the test does not control (GCC 12 drops the counter's
// shared_ptr before the resource), and the resource's destructor still counts.
struct Res {
    int id = 0;
    std::shared_ptr<Counter> counter;  // null once moved from
    Res(int i, std::shared_ptr<Counter> c) : id(i), counter(std::move(c)) {
        counter->open.fetch_add(1);
    }
    Res(Res&& o) noexcept : id(o.id), counter(std::move(o.counter)) {}
    Res& operator=(Res&& o) noexcept {
        std::swap(id, o.id);
        std::swap(counter, o.counter);
        return *this;
    }
    ~Res() {
        if (counter != nullptr) counter->open.fetch_sub(1);
    }
};

// The callbacks are plain functions of their arguments: a coroutine lambda's captures live in
// the lambda object, which the pool may drop before a spawned destroy runs.
Task<sync::Result<Res, std::string>> create_res(std::shared_ptr<Counter> c) {
    if (c->hang.load()) co_await time::sleep(1h);
    if (c->fail_next.load() > 0) {
        c->fail_next.fetch_sub(1);
        co_return sync::err(std::string("backend refused"));
    }
    co_return Res(++c->created, c);
}
Task<bool> recycle_res(std::shared_ptr<Counter> c, Res& r) {
    co_return r.id != c->recycle_reject.load();
}
Task<void> destroy_res(std::shared_ptr<Counter> c, Res r) {
    c->destroyed.fetch_add(1);
    (void)r;
    co_return;
}

pool::Manager<Res> manager(const std::shared_ptr<Counter>& c, bool with_recycle = false) {
    pool::Manager<Res> m;
    m.create = [c] { return create_res(c); };
    if (with_recycle) m.recycle = [c](Res& r) { return recycle_res(c, r); };
    m.destroy = [c](Res r) { return destroy_res(c, std::move(r)); };
    m.log = [c](bool warning, const std::string& msg) {
        std::lock_guard lock(c->log_mutex);
        (warning ? c->warnings : c->infos).push_back(msg);
    };
    return m;
}

// manager(c) whose callbacks hold the only reference to an object `alive` watches: it expires
// when the pool (and its manager with it) is deleted.
pool::Manager<Res> watched_manager(const std::shared_ptr<Counter>& c, std::weak_ptr<int>& alive) {
    auto sentinel = std::make_shared<int>(0);
    alive = sentinel;
    auto m = manager(c);
    m.is_broken = [sentinel](Res&) { return false; };
    return m;
}

PoolConfig config(std::size_t max_size) {
    PoolConfig cfg;
    cfg.name = "counting";
    cfg.max_size = max_size;
    cfg.backoff_min = 1ms;
    cfg.backoff_max = 4ms;
    return cfg;
}

}  // namespace

TEST_CASE("pool: resources are reused and never more than max_size are open at once", "[pool]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto c = std::make_shared<Counter>();
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([](std::shared_ptr<Counter> c) -> Task<void> {
        auto p = Pool<Res>::create(config(3), manager(c));
        std::atomic<int> peak{0}, holding{0};
        std::vector<JoinHandle<void>> tasks;
        for (int t = 0; t < 20; ++t) {
            tasks.push_back(spawn([](std::shared_ptr<Pool<Res>> p, std::atomic<int>& peak,
                                     std::atomic<int>& holding) -> Task<void> {
                for (int i = 0; i < 20; ++i) {
                    auto r = co_await p->acquire();
                    if (!r)
                        co_return;  // shows in the counts checked below: no Catch2 macro off its
                                    // thread
                    const int now = holding.fetch_add(1) + 1;
                    int seen = peak.load();
                    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                    }
                    co_await yield_now();
                    holding.fetch_sub(1);
                }
            }(p, peak, holding)));
        }
        for (auto& t : tasks) co_await t;
        CHECK(peak.load() <= 3);
        CHECK(c->created.load() <= 3);
        const auto s = p->snapshot();
        CHECK(s.acquisitions == 400);
        CHECK(s.size == static_cast<std::uint64_t>(c->created.load()));
        CHECK(s.in_use == 0);
        p->close();
        CHECK(p->snapshot().size == 0);
        {
            const bool ok = co_await eventually([&] { return c->open.load() == 0; });
            CHECK(ok);
        }
    }(c));
}

TEST_CASE("pool: waiters are served first come and first served", "[pool]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto p = Pool<Res>::create(config(1), manager(c));
        auto held = co_await p->acquire();
        REQUIRE(held);
        std::mutex m;
        std::vector<int> order;
        std::vector<JoinHandle<void>> waiters;
        for (int w = 0; w < 5; ++w) {
            waiters.push_back(spawn([](std::shared_ptr<Pool<Res>> p, int w, std::mutex& m,
                                       std::vector<int>& order) -> Task<void> {
                auto r = co_await p->acquire();
                if (!r)
                    co_return;  // shows in the counts checked below: no Catch2 macro off its thread
                {
                    std::lock_guard lock(m);
                    order.push_back(w);
                }
                co_await yield_now();
            }(p, w, m, order)));
            // The next waiter arrives only once this one waits.
            const auto expected = static_cast<std::uint64_t>(w + 1);
            {
                const bool ok = co_await eventually([&] {
                    return p->snapshot().waiters == expected;
                });  // not inside the macro: GCC 12
                REQUIRE(ok);
            }
        }
        held->release();
        for (auto& t : waiters) co_await t;
        CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
        CHECK(c->created.load() == 1);
        p->close();
    }());
}

TEST_CASE("pool: an acquire that times out says the pool was exhausted and how many were in use",
          "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto cfg = config(2);
        cfg.acquire_timeout = 50ms;
        auto p = Pool<Res>::create(cfg, manager(c));
        auto a = co_await p->acquire();
        auto b = co_await p->acquire();
        REQUIRE(a);
        REQUIRE(b);
        auto r = co_await p->acquire();
        REQUIRE_FALSE(r);
        CHECK(r.error().is_exhausted());
        const std::string what = r.error().what();
        CHECK_THAT(what, Catch::Contains("pool 'counting' exhausted: 2 of 2 in use"));
        const auto s = p->snapshot();
        CHECK(s.timeouts == 1);
        CHECK(s.waiters == 0);
        a->release();
        auto again = co_await p->acquire();  // the timed-out waiter left the line
        CHECK(again);
        p->close();
    }());
}

TEST_CASE("pool: a resource marked broken is closed and never handed out again", "[pool]") {
    auto c = std::make_shared<Counter>();
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([](std::shared_ptr<Counter> c) -> Task<void> {
        auto p = Pool<Res>::create(config(2), manager(c));
        int first = 0;
        {
            auto r = co_await p->acquire();
            REQUIRE(r);
            first = (*r)->id;
            r->mark_broken();
        }
        for (int i = 0; i < 5; ++i) {
            auto r = co_await p->acquire();
            REQUIRE(r);
            CHECK((*r)->id != first);
        }
        const auto s = p->snapshot();
        CHECK(s.closes[static_cast<std::size_t>(pool::CloseReason::broken)] == 1);
        CHECK(s.size == 1);
        p->close();
        {
            const bool ok = co_await eventually(
                [&] { return c->destroyed.load() == 2; });  // not inside the macro: GCC 12
            CHECK(ok);
        }
    }(c));
}

TEST_CASE("pool: a resource failing its recycle check is closed and the next one is tried",
          "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto p = Pool<Res>::create(config(2), manager(c, true));
        {
            auto a = co_await p->acquire();
            auto b = co_await p->acquire();
            REQUIRE(a);
            REQUIRE(b);
            c->recycle_reject = (*a)->id;  // a is given back last: handed out first
        }
        auto r = co_await p->acquire();
        REQUIRE(r);
        CHECK((*r)->id != c->recycle_reject.load());
        CHECK(p->snapshot().closes[static_cast<std::size_t>(pool::CloseReason::broken)] == 1);
        p->close();
    }());
}

TEST_CASE("pool: min_idle resources are created and kept warm in the background", "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto cfg = config(4);
        cfg.min_idle = 2;
        auto p = Pool<Res>::create(cfg, manager(c));
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().idle == 2; });  // not inside the macro: GCC 12
            CHECK(ok);
        }
        {
            auto r = co_await p->acquire();
            REQUIRE(r);
            r->mark_broken();
        }
        // The broken one is replaced: two idle again, without anyone asking.
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().idle == 2; });  // not inside the macro: GCC 12
            CHECK(ok);
        }
        CHECK(c->created.load() == 3);
        p->close();
    }());
}

TEST_CASE(
    "pool: idle resources above min_idle are closed after idle_timeout and all at max_lifetime",
    "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto cfg = config(4);
        cfg.min_idle = 1;
        cfg.idle_timeout = 40ms;
        auto p = Pool<Res>::create(cfg, manager(c));
        {
            auto a = co_await p->acquire();
            auto b = co_await p->acquire();
            auto d = co_await p->acquire();
        }
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().size == 1; });  // not inside the macro: GCC 12
            CHECK(ok);
        }
        const auto s = p->snapshot();
        CHECK(s.closes[static_cast<std::size_t>(pool::CloseReason::idle)] >= 2);
        p->close();

        auto c2 = std::make_shared<Counter>();
        auto cfg2 = config(2);
        cfg2.max_lifetime = 40ms;
        auto q = Pool<Res>::create(cfg2, manager(c2));
        { auto a = co_await q->acquire(); }
        {
            const bool ok = co_await eventually([&] {
                return q->snapshot()
                           .closes[static_cast<std::size_t>(pool::CloseReason::lifetime)] == 1;
            });  // not inside the macro: GCC 12
            CHECK(ok);
        }
        auto r = co_await q->acquire();
        CHECK((*r)->id == 2);
        q->close();
    }());
}

TEST_CASE("pool: failed creates are retried with backoff and logged once per burst", "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        c->fail_next = 6;
        auto cfg = config(2);
        cfg.acquire_timeout = 10s;
        auto p = Pool<Res>::create(cfg, manager(c));
        auto r = co_await p->acquire();
        REQUIRE(r);
        const auto s = p->snapshot();
        CHECK(s.create_failures == 6);
        CHECK(s.creates == 1);
        std::lock_guard lock(c->log_mutex);
        REQUIRE(c->warnings.size() == 1);
        CHECK_THAT(c->warnings[0], Catch::Contains("backend refused"));
        REQUIRE(c->infos.size() == 1);
        CHECK_THAT(c->infos[0], Catch::Contains("after 6 failed attempt"));
        p->close();
    }());
}

TEST_CASE("pool: an acquire whose create never finishes times out with the create error",
          "[pool]") {
    auto c = std::make_shared<Counter>();
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([](std::shared_ptr<Counter> c) -> Task<void> {
        c->hang = true;
        auto cfg = config(1);
        cfg.acquire_timeout = 30ms;
        auto p = Pool<Res>::create(cfg, manager(c));
        auto r = co_await p->acquire();
        REQUIRE_FALSE(r);
        CHECK(r.error().is_create());
        // The abandoned create gave its slot back.
        c->hang = false;
        const auto s = p->snapshot();
        CHECK(s.size == 0);
        auto again = co_await p->acquire();
        CHECK(again);
        p->close();
    }(c));
}

TEST_CASE("pool: a waiting acquire that is dropped passes its turn to the next waiter", "[pool]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto p = Pool<Res>::create(config(1), manager(c));
        auto held = co_await p->acquire();
        auto waiter = [](std::shared_ptr<Pool<Res>> p) -> Task<int> {
            auto r = co_await p->acquire();
            co_return r ? (*r)->id : -1;
        };
        auto dropped = spawn(waiter(p));
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().waiters == 1; });  // not inside the macro: GCC 12
            REQUIRE(ok);
        }
        auto next = spawn(waiter(p));
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().waiters == 2; });  // not inside the macro: GCC 12
            REQUIRE(ok);
        }
        dropped.abort();
        {
            const bool ok = co_await eventually(
                [&] { return p->snapshot().waiters == 1; });  // not inside the macro: GCC 12
            REQUIRE(ok);
        }
        held->release();
        {
            const auto got = co_await next;  // not inside the macro: GCC 12
            CHECK(got == 1);
        }
        p->close();
    }());
}

TEST_CASE("pool: close fails waiters and closes idle resources at once and busy ones on release",
          "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto p = Pool<Res>::create(config(3), manager(c));
        auto busy = co_await p->acquire();
        auto other = co_await p->acquire();
        { auto idle = co_await p->acquire(); }  // given back: idle
        REQUIRE(busy);
        REQUIRE(other);
        p->close();
        CHECK(p->snapshot().idle == 0);
        {
            const bool ok = co_await eventually(
                [&] { return c->open.load() == 2; });  // not inside the macro: GCC 12
            CHECK(ok);
        }  // busy and other
        busy->release();
        other->release();
        {
            const bool ok = co_await eventually(
                [&] { return c->open.load() == 0; });  // not inside the macro: GCC 12
            CHECK(ok);
        }
        auto late = co_await p->acquire();
        REQUIRE_FALSE(late);
        CHECK(late.error().is_closed());
        CHECK(p->snapshot().closes[static_cast<std::size_t>(pool::CloseReason::shutdown)] == 3);
        CHECK(p->snapshot().size == 0);

        auto q = Pool<Res>::create(config(1), manager(c));
        auto held = co_await q->acquire();
        auto waiter = spawn([](std::shared_ptr<Pool<Res>> q) -> Task<bool> {
            auto r = co_await q->acquire();
            co_return !r && r.error().is_closed();
        }(q));
        {
            const bool ok = co_await eventually(
                [&] { return q->snapshot().waiters == 1; });  // not inside the macro: GCC 12
            REQUIRE(ok);
        }
        q->close();
        {
            const bool ok = co_await waiter;  // not inside the macro: GCC 12
            CHECK(ok);
        }
    }());
}

TEST_CASE("pool: a checked-out resource keeps its pool alive after every owner let go", "[pool]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        std::weak_ptr<int> pool_alive;
        auto p = Pool<Res>::create(config(2), watched_manager(c, pool_alive));
        auto r = co_await p->acquire();
        REQUIRE(r);
        p.reset();  // the last owner
        CHECK_FALSE(pool_alive.expired());
        CHECK((*r)->id == 1);
        r->release();  // the last check-in deletes the pool, and its idle resource with it
        CHECK(pool_alive.expired());
        CHECK(c->open.load() == 0);

        // Nothing checked out: the pool goes with its last owner.
        std::weak_ptr<int> q_alive;
        auto q = Pool<Res>::create(config(2), watched_manager(c, q_alive));
        { auto once = co_await q->acquire(); }
        CHECK_FALSE(q_alive.expired());
        q.reset();
        CHECK(q_alive.expired());
        CHECK(c->open.load() == 0);
    }());
}

TEST_CASE("pool: acquisitions that did not wait are counted in the first wait bucket", "[pool]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto c = std::make_shared<Counter>();
        auto p = Pool<Res>::create(config(1), manager(c));
        { auto first = co_await p->acquire(); }  // created: waited for the create
        for (int i = 0; i < 5; ++i) {
            auto r = co_await p->acquire();  // idle at once
            REQUIRE(r);
        }
        const auto s = p->snapshot();
        CHECK(s.acquisitions == 6);
        CHECK(s.wait_buckets[0] >= 5);  // and the create, unless it took over 100 us
        p->close();
    }());
}
