// Specification of spawn_blocking and the blocking pool: results and errors, growth past the
// worker count, retirement after the keep-alive, metrics, and shutdown with and without a bound.
#include <catch2/catch.hpp>

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;
using weft::test::DropCounter;

namespace {

// A gate blocking threads until opened; shared by pointer so abandoned threads can outlive tests.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    int waiting = 0;
    void wait() {
        std::unique_lock lock(m);
        ++waiting;
        cv.notify_all();
        cv.wait(lock, [&] { return open; });
    }
    bool wait_for_waiters(int n, std::chrono::milliseconds within) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, within, [&] { return waiting >= n; });
    }
    void release() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 10s) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

// Issues `n` calls that each wait in one gate, which opens only once all of them wait in it at
// once, and returns when every one has returned: they must all have run at the same time.
void run_gated_burst(Runtime& rt, int n) {
    auto gate = std::make_shared<Gate>();
    rt.block_on([](std::shared_ptr<Gate> gate, int n) -> Task<void> {
        std::vector<BlockingHandle<void>> hs;
        for (int i = 0; i < n; ++i) hs.push_back(spawn_blocking([gate] { gate->wait(); }));
        REQUIRE(gate->wait_for_waiters(n, 10s));
        gate->release();
        for (auto& h : hs) co_await h;
    }(gate, n));
}

}  // namespace

TEST_CASE("spawn_blocking gives the function's value", "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    int v = rt.block_on([]() -> Task<int> {
        auto h = spawn_blocking([] { return 6 * 7; });
        co_return co_await h;
    }());
    CHECK(v == 42);
    rt.block_on([]() -> Task<void> { co_await spawn_blocking([] {}); }());
}

TEST_CASE("an exception of the blocking function becomes a failed JoinError naming the job id",
          "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::uint64_t id = 0;
    std::string what = rt.block_on([](std::uint64_t& id) -> Task<std::string> {
        auto h = spawn_blocking([]() -> int { throw std::runtime_error("disk on fire"); });
        id = h.id();
        try {
            co_await h;
        } catch (const JoinError& e) {
            CHECK(e.is_failed());
            CHECK(e.id() == id);
            try {
                std::rethrow_exception(e.exception());
            } catch (const std::runtime_error& inner) {
                CHECK(std::string(inner.what()) == "disk on fire");
            }
            co_return e.what();
        }
        co_return "no error";
    }(id));
    CHECK(id != 0);
    CHECK(what == "task " + std::to_string(id) + " failed: disk on fire");
}

TEST_CASE("blocking threads are named weft-blocking-N and see the runtime", "[blocking]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    auto [name, in_runtime] = rt.block_on([]() -> Task<std::pair<std::string, bool>> {
        co_return co_await spawn_blocking([] {
            char buf[32] = {};
            pthread_getname_np(pthread_self(), buf, sizeof buf);
            return std::pair<std::string, bool>(buf, Handle::try_current().has_value());
        });
    }());
    CHECK(name.rfind("weft-blocking-", 0) == 0);
    CHECK(in_runtime);
}

TEST_CASE("the pool grows past the worker count and retires idle threads after the keep-alive",
          "[blocking]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).thread_keep_alive(50ms).build();
    constexpr int kConcurrent = 8;
    run_gated_burst(rt, kConcurrent);
    auto m = rt.metrics();
    CHECK(m.blocking_threads >= kConcurrent);
    CHECK(m.blocking_threads <= 512);
    CHECK(m.blocking_queue_depth == 0);
    // Idle for longer than the keep-alive, every thread retires.
    CHECK(eventually([&] { return rt.metrics().blocking_threads == 0; }));
    CHECK(rt.metrics().idle_blocking_threads == 0);
}

TEST_CASE("a burst of calls reaches every idle thread: each woken thread wakes the next",
          "[blocking]") {
    // A burst wakes one idle thread; a thread that takes a call and leaves calls queued wakes
    // the next (pool.cpp, rule 4). Calls that wait for each other must all run at once, on the
    // threads already idle, with none started for them.
    auto rt = Builder::new_multi_thread().worker_threads(2).thread_keep_alive(60s).build();
    constexpr int kConcurrent = 8;
    run_gated_burst(rt, kConcurrent);  // starts the threads
    REQUIRE(eventually([&] { return rt.metrics().idle_blocking_threads == kConcurrent; }));
    const std::size_t threads = rt.metrics().blocking_threads;
    for (int round = 0; round < 3; ++round) {
        run_gated_burst(rt, kConcurrent);
        REQUIRE(eventually([&] { return rt.metrics().idle_blocking_threads == threads; }));
    }
    CHECK(rt.metrics().blocking_threads == threads);  // the idle ones ran them: none started
}

TEST_CASE("idle threads are reused and counted as idle", "[blocking]") {
    auto rt = Builder::new_current_thread().thread_keep_alive(10s).build();
    rt.block_on([]() -> Task<void> {
        for (int i = 0; i < 20; ++i) co_await spawn_blocking([] {});
    }());
    CHECK(eventually(
        [&] { return rt.metrics().idle_blocking_threads == rt.metrics().blocking_threads; }));
    CHECK(rt.metrics().blocking_threads >= 1);
    CHECK(rt.metrics().blocking_threads <= 2);  // sequential calls reuse the idle thread
}

TEST_CASE("max_blocking_threads caps the pool; extra work waits in the queue", "[blocking]") {
    auto rt = Builder::new_current_thread().max_blocking_threads(2).build();
    auto gate = std::make_shared<Gate>();
    Handle h = rt.handle();
    std::vector<BlockingHandle<int>> hs;
    for (int i = 0; i < 6; ++i)
        hs.push_back(spawn_blocking_on(h, [gate, i] {
            gate->wait();
            return i;
        }));
    REQUIRE(gate->wait_for_waiters(2, 10s));
    CHECK(eventually([&] { return rt.metrics().blocking_queue_depth == 4; }));
    CHECK(rt.metrics().blocking_threads == 2);
    gate->release();
    int sum = rt.block_on([](std::vector<BlockingHandle<int>>& hs) -> Task<int> {
        int s = 0;
        for (auto& h : hs) s += co_await h;
        co_return s;
    }(hs));
    CHECK(sum == 0 + 1 + 2 + 3 + 4 + 5);
}

TEST_CASE("spawn_blocking_on starts the work even while no thread runs the runtime", "[blocking]") {
    auto rt = Builder::new_current_thread().build();
    std::atomic<bool> ran{false};
    auto h = spawn_blocking_on(rt.handle(), [&ran] {
        ran.store(true);
        return 5;
    });
    CHECK(eventually([&] { return ran.load(); }));
    int v =
        rt.block_on([](BlockingHandle<int> h) -> Task<int> { co_return co_await h; }(std::move(h)));
    CHECK(v == 5);
}

TEST_CASE("abort prevents blocking work that has not started", "[blocking]") {
    auto rt = Builder::new_current_thread().max_blocking_threads(1).build();
    auto gate = std::make_shared<Gate>();
    std::atomic<bool> ran{false};
    bool cancelled =
        rt.block_on([](std::shared_ptr<Gate> gate, std::atomic<bool>& ran) -> Task<bool> {
            auto busy = spawn_blocking([gate] { gate->wait(); });
            auto queued = spawn_blocking([&ran] { ran.store(true); });
            queued.abort();
            gate->release();
            co_await busy;
            try {
                co_await queued;
            } catch (const JoinError& e) {
                co_return e.is_cancelled();
            }
            co_return false;
        }(gate, ran));
    CHECK(cancelled);
    CHECK_FALSE(ran.load());
}

TEST_CASE("dropping the runtime waits for running blocking work", "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto finished = std::make_shared<std::atomic<bool>>(false);
    {
        auto rt = weft::test::make_runtime(flavor);
        auto started = std::make_shared<std::atomic<bool>>(false);
        auto h = spawn_blocking_on(rt.handle(), [finished, started] {
            started->store(true);
            std::this_thread::sleep_for(100ms);
            finished->store(true);
        });
        h.detach();
        REQUIRE(eventually([&] { return started->load(); }));
    }
    CHECK(finished->load());
}

TEST_CASE("shutdown_timeout abandons a long blocking call and drops queued work", "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto gate = std::make_shared<Gate>();
    std::atomic<int> live{0};
    std::atomic<bool> queued_ran{false};
    auto rt = flavor == Flavor::current_thread
                  ? Builder::new_current_thread().max_blocking_threads(1).build()
                  : Builder::new_multi_thread().worker_threads(2).max_blocking_threads(1).build();
    auto stuck = spawn_blocking_on(rt.handle(), [gate] { gate->wait(); });
    REQUIRE(gate->wait_for_waiters(1, 10s));
    auto queued = spawn_blocking_on(rt.handle(), [guard = std::make_shared<DropCounter>(live),
                                                  &queued_ran] { queued_ran.store(true); });
    CHECK(live.load() == 1);
    const auto start = std::chrono::steady_clock::now();
    rt.shutdown_timeout(100ms);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 100ms);
    CHECK(took < 5s);
    CHECK(rt.metrics().abandoned_blocking_threads == 1);
    CHECK(live.load() == 0);  // the queued closure was destroyed, never run
    CHECK_FALSE(queued_ran.load());
    CHECK(queued.is_finished());
    CHECK(stuck.valid());
    gate->release();  // let the abandoned thread finish; it only touches shared state
    stuck.detach();
    queued.detach();
}

TEST_CASE("spawn_blocking outside a runtime throws std::logic_error", "[blocking]") {
    CHECK_THROWS_AS(spawn_blocking([] {}), std::logic_error);
}

TEST_CASE("many blocking calls issued at once all complete", "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    long sum = rt.block_on([]() -> Task<long> {
        std::vector<BlockingHandle<long>> hs;
        for (long i = 0; i < 10'000; ++i) hs.push_back(spawn_blocking([i] { return i * 3; }));
        long s = 0;
        for (auto& h : hs) s += co_await h;
        co_return s;
    }());
    CHECK(sum == 3L * 10'000 * 9'999 / 2);
}

namespace {
// Polls a blocking handle, and while it is pending wakes its own task at once: the handle is
// polled again and again, with its waker registered, while the pool thread completes the work.
template <class R>
class PollEagerly : public Pollable<PollEagerly<R>> {
   public:
    explicit PollEagerly(BlockingHandle<R>& handle) : handle_(handle) {}
    bool poll(Context& cx) noexcept {
        if (handle_.poll(cx)) return true;
        cx.waker().wake_by_ref();
        return false;
    }
    R await_resume() { return handle_.await_resume(); }

   private:
    BlockingHandle<R>& handle_;
};
}  // namespace

// The completing side wakes the registered waker by reference and never writes the slot the
// handle may be reading (will_wake) at that moment: ThreadSanitizer saw that write race the read
// when completion took the waker out.
TEST_CASE("a handle polled again and again while its work completes reads its waker race-free",
          "[blocking]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    const long sum = rt.block_on([]() -> Task<long> {
        long s = 0;
        for (long i = 0; i < 2'000; ++i) {
            BlockingHandle<long> h = spawn_blocking([i] { return i; });
            s += co_await PollEagerly<long>(h);
        }
        co_return s;
    }());
    CHECK(sum == 2'000L * 1'999 / 2);
}
