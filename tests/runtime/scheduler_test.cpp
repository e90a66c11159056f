// Specification of the schedulers: fairness (yield, LIFO slot, budget, global queue), spawning
// from outside, hooks and names, metrics.
#include <pthread.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "probes.hpp"
#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/sync/notify.hpp"
#include "support.hpp"

using namespace weft;
using weft::test::AlwaysReady;
using weft::test::Flag;

namespace {

Task<void> spin_on_ready(std::atomic<bool>& stop, std::atomic<long>& iterations) {
    while (!stop.load()) {
        co_await AlwaysReady{};
        iterations.fetch_add(1);
    }
}

Task<void> set_flag(std::atomic<bool>& flag) {
    flag.store(true);
    co_return;
}

// Sets `flag` once the spinner has started, so the spinner had to yield for this task to run.
Task<void> set_flag_after_spinner(std::atomic<bool>& flag, std::atomic<long>& iterations) {
    while (iterations.load() == 0) co_await yield_now();
    flag.store(true);
}

}  // namespace

TEST_CASE("yield_now lets every other ready task run before the yielder resumes", "[scheduler]") {
    auto rt = Builder::new_current_thread().build();
    std::vector<int> order;
    rt.block_on([](std::vector<int>& order) -> Task<void> {
        auto a = spawn([](std::vector<int>& o) -> Task<void> {
            o.push_back(1);
            co_await yield_now();
            o.push_back(3);
        }(order));
        auto b = spawn([](std::vector<int>& o) -> Task<void> {
            o.push_back(2);
            co_return;
        }(order));
        co_await a;
        co_await b;
    }(order));
    CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("the coop budget makes a task looping on ready resources yield", "[scheduler][coop]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    // One worker: the spinner and the flag setter share it, so the setter only runs if the
    // spinner is forced to yield.
    Runtime rt = flavor == Flavor::current_thread
                     ? Builder::new_current_thread().budget(16).build()
                     : Builder::new_multi_thread().worker_threads(1).budget(16).build();
    std::atomic<bool> stop{false};
    std::atomic<long> iterations{0};
    rt.block_on([](std::atomic<bool>& stop, std::atomic<long>& it) -> Task<void> {
        auto spinner = spawn(spin_on_ready(stop, it));
        auto setter = spawn(set_flag_after_spinner(stop, it));
        co_await setter;
        co_await spinner;
    }(stop, iterations));
    CHECK(iterations.load() >= 1);
    std::uint64_t forced = 0;
    for (const auto& w : rt.metrics().workers) forced += w.budget_forced_yields;
    CHECK(forced >= 1);
}

TEST_CASE("unconstrained lifts the budget for the task it wraps", "[scheduler][coop]") {
    auto rt = Builder::new_current_thread().budget(4).build();
    rt.block_on([]() -> Task<void> {
        co_await unconstrained([]() -> Task<void> {
            for (int i = 0; i < 100; ++i) co_await AlwaysReady{};
        }());
    }());
    CHECK(rt.metrics().workers[0].budget_forced_yields == 0);
}

TEST_CASE("two tasks waking each other through the LIFO slot do not starve a third",
          "[scheduler][lifo]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    std::atomic<bool> third_ran{false};
    rt.block_on([](std::atomic<bool>& third_ran) -> Task<void> {
        auto ping = std::make_shared<Flag>();
        auto pong = std::make_shared<Flag>();
        auto a = spawn([](std::shared_ptr<Flag> ping, std::shared_ptr<Flag> pong,
                          std::atomic<bool>& done) -> Task<void> {
            while (!done.load()) {
                ping->set();
                co_await pong->wait();
                pong->reset();
            }
            ping->set();
        }(ping, pong, third_ran));
        auto b = spawn([](std::shared_ptr<Flag> ping, std::shared_ptr<Flag> pong,
                          std::atomic<bool>& done) -> Task<void> {
            while (!done.load()) {
                co_await ping->wait();
                ping->reset();
                pong->set();
            }
            pong->set();
        }(ping, pong, third_ran));
        auto c = spawn(set_flag(third_ran));
        co_await c;
        co_await a;
        co_await b;
    }(third_ran));
    CHECK(third_ran.load());
    CHECK(rt.metrics().workers[0].lifo_hits > 0);
}

namespace {
Task<void> ping_pong_side(sync::Notify& mine, sync::Notify& theirs, int rounds, bool starts) {
    for (int i = 0; i < rounds; ++i) {
        if (starts) theirs.notify_one();
        co_await mine.notified();
        if (!starts) theirs.notify_one();
    }
}
}  // namespace

TEST_CASE("a worker that holds only the task it runs next wakes no parked sibling",
          "[scheduler][lifo]") {
    // Two tasks ping-pong on one worker through the LIFO slot; after its polls the LIFO task
    // goes back to the local queue, alone. The other worker has nothing to steal from one task:
    // waking it for that would only make it park again (it did so about 1,600 times in 200,000
    // round trips).
    auto rt = Builder::new_multi_thread().worker_threads(2).build();
    constexpr int kRounds = 200'000;
    rt.block_on([]() -> Task<void> {
        sync::Notify ping, pong;
        auto a = spawn(ping_pong_side(pong, ping, kRounds, true));
        auto b = spawn(ping_pong_side(ping, pong, kRounds, false));
        co_await a;
        co_await b;
    }());
    std::uint64_t parks = 0;
    for (const auto& w : rt.metrics().workers) parks += w.parks;
    CHECK(parks < 100);
}

TEST_CASE("the LIFO slot can be disabled", "[scheduler][lifo]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).lifo_slot(false).build();
    rt.block_on([]() -> Task<void> {
        Flag f;
        auto waiter = spawn([](Flag& f) -> Task<void> { co_await f.wait(); }(f));
        co_await yield_now();
        f.set();
        co_await waiter;
    }());
    CHECK(rt.metrics().workers[0].lifo_hits == 0);
}

TEST_CASE("a task spawned from outside runs while local tasks keep yielding",
          "[scheduler][fairness]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    Runtime rt = flavor == Flavor::current_thread
                     ? Builder::new_current_thread().build()
                     : Builder::new_multi_thread().worker_threads(1).build();
    std::atomic<bool> remote_ran{false};
    std::atomic<bool> spinning{false};
    std::thread outsider([&] {
        while (!spinning.load()) std::this_thread::yield();
        rt.handle().spawn(set_flag(remote_ran)).detach();
    });
    rt.block_on([](std::atomic<bool>& remote_ran, std::atomic<bool>& spinning) -> Task<void> {
        auto spinner =
            spawn([](std::atomic<bool>& stop, std::atomic<bool>& spinning) -> Task<void> {
                while (!stop.load()) {
                    spinning.store(true);
                    co_await yield_now();
                }
            }(remote_ran, spinning));
        co_await spinner;
    }(remote_ran, spinning));
    outsider.join();
    CHECK(remote_ran.load());
}

TEST_CASE("worker threads are named and run the start and stop hooks", "[scheduler]") {
    std::mutex m;
    std::set<std::string> names;
    std::atomic<int> started{0}, stopped{0};
    {
        auto rt = Builder::new_multi_thread()
                      .worker_threads(3)
                      .on_thread_start([&] {
                          char buf[32] = {};
                          pthread_getname_np(pthread_self(), buf, sizeof buf);
                          std::lock_guard lock(m);
                          names.insert(buf);
                          started.fetch_add(1);
                      })
                      .on_thread_stop([&] { stopped.fetch_add(1); })
                      .build();
        rt.block_on([]() -> Task<void> { co_return; }());
    }
    CHECK(started.load() == 3);
    CHECK(stopped.load() == 3);
    CHECK(names == std::set<std::string>{"weft-worker-0", "weft-worker-1", "weft-worker-2"});
}

TEST_CASE("the builder rejects invalid settings, naming the setting and its range", "[builder]") {
    CHECK_THROWS_WITH(Builder::new_multi_thread().worker_threads(0).build(),
                      Catch::Contains("worker_threads must be between 1 and 1024, got 0"));
    CHECK_THROWS_WITH(Builder::new_multi_thread().worker_threads(100000).build(),
                      Catch::Contains("worker_threads"));
    CHECK_THROWS_WITH(Builder::new_current_thread().global_queue_interval(0).build(),
                      Catch::Contains("global_queue_interval must be between 1"));
    CHECK_THROWS_WITH(Builder::new_current_thread().event_interval(0).build(),
                      Catch::Contains("event_interval must be between 1"));
    CHECK_THROWS_WITH(Builder::new_current_thread().budget(0).build(), Catch::Contains("budget"));
    CHECK_THROWS_WITH(Builder::new_current_thread().max_blocking_threads(0).build(),
                      Catch::Contains("max_blocking_threads"));
    CHECK_THROWS_WITH(
        Builder::new_current_thread().thread_keep_alive(std::chrono::milliseconds(0)).build(),
        Catch::Contains("thread_keep_alive"));
}

TEST_CASE("the builder rejects a thread name of only whitespace like the empty one", "[builder]") {
    for (const char* name : {"", " ", "   ", "\t\n"})
        CHECK_THROWS_WITH(Builder::new_multi_thread().worker_threads(1).thread_name(name).build(),
                          Catch::Contains("thread_name must not be empty or only whitespace"));
    auto rt = Builder::new_current_thread().thread_name(" weft ").build();  // spaces around: fine
    CHECK(rt.config().thread_name == " weft ");
}

namespace {
// Builds a runtime and destroys it where the caller runs (its destructor may throw).
void build_and_destroy(Flavor flavor) { auto rt = weft::test::make_runtime(flavor, 1); }
}  // namespace

TEST_CASE("destroying a runtime inside another runtime's block_on or on a worker throws",
          "[scheduler][shutdown]") {
    auto outer_flavor = GENERATE(from_range(weft::test::flavors()));
    auto inner_flavor = GENERATE(from_range(weft::test::flavors()));
    auto outer = weft::test::make_runtime(outer_flavor);
    // In block_on (the current_thread runtime's thread, or the caller of a multi_thread one).
    outer.block_on([](Flavor inner_flavor) -> Task<void> {
        CHECK_THROWS_WITH(build_and_destroy(inner_flavor),
                          Catch::Contains("destroyed from inside a runtime"));
        co_return;
    }(inner_flavor));
    // In a spawned task (a worker of the multi_thread runtime).
    bool threw = outer.block_on([](Flavor inner_flavor) -> Task<bool> {
        co_return co_await spawn([](Flavor inner_flavor) -> Task<bool> {
            try {
                build_and_destroy(inner_flavor);
            } catch (const std::logic_error&) {
                co_return true;
            }
            co_return false;
        }(inner_flavor));
    }(inner_flavor));
    CHECK(threw);
    // On a blocking thread it is allowed, as in Tokio.
    outer.block_on([](Flavor inner_flavor) -> Task<void> {
        co_await spawn_blocking([inner_flavor] { build_and_destroy(inner_flavor); });
    }(inner_flavor));
}

TEST_CASE("WEFT_WORKER_THREADS sets the default worker count", "[builder]") {
    ::setenv("WEFT_WORKER_THREADS", "3", 1);
    CHECK(Builder::new_multi_thread().resolved_config().worker_threads == 3);
    CHECK(Builder::new_multi_thread().worker_threads(2).resolved_config().worker_threads == 2);
    ::setenv("WEFT_WORKER_THREADS", "lots", 1);
    CHECK_THROWS_WITH(Builder::new_multi_thread().resolved_config(),
                      Catch::Contains("WEFT_WORKER_THREADS") && Catch::Contains("lots"));
    ::unsetenv("WEFT_WORKER_THREADS");
}

TEST_CASE("WEFT_WORKER_THREADS is a whole number from 1 to the worker limit, nothing else",
          "[builder]") {
    using weft::limits::parse_worker_threads;
    CHECK(parse_worker_threads("1") == 1u);
    CHECK(parse_worker_threads("1024") == weft::limits::kMaxWorkerThreads);
    for (const char* bad :
         {"", "0", "1025", "-3", "+3", " 3", "3 ", "3.0", "0x10", "99999999999999999999999"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(parse_worker_threads(bad));
    }
}

TEST_CASE("metrics count spawns, polls and alive tasks while running", "[scheduler][metrics]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::vector<JoinHandle<void>> hs;
        for (int i = 0; i < 100; ++i)
            hs.push_back(spawn([]() -> Task<void> { co_await yield_now(); }()));
        auto m = Handle::current().metrics();
        CHECK(m.spawned_tasks >= 101);
        CHECK(m.alive_tasks >= 1);
        for (auto& h : hs) co_await h;
    }());
    auto m = rt.metrics();
    CHECK(m.spawned_tasks == 101);
    CHECK(m.alive_tasks == 0);
    std::uint64_t polls = 0;
    for (const auto& w : m.workers) polls += w.polls;
    CHECK(polls >= 201);  // each spawned task twice (it yields once), the root at least once
    CHECK(m.num_workers == (flavor == Flavor::current_thread ? 1u : 2u));
}

TEST_CASE("the poll-time histogram records every poll when enabled", "[scheduler][metrics]") {
    auto rt = Builder::new_current_thread().poll_time_histogram(true).build();
    rt.block_on([]() -> Task<void> {
        for (int i = 0; i < 10; ++i) co_await yield_now();
    }());
    auto m = rt.metrics();
    std::uint64_t total = 0;
    for (auto n : m.poll_time_histogram) total += n;
    CHECK(total == m.workers[0].polls);
    CHECK(m.workers[0].longest_poll.count() > 0);
}

TEST_CASE("an idle multi_thread runtime parks its workers", "[scheduler][park]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).build();
    rt.block_on([]() -> Task<void> { co_return; }());
    // Wait (bounded) until both workers parked at least once.
    for (int i = 0; i < 2000; ++i) {
        auto m = rt.metrics();
        if (m.workers[0].parks > 0 && m.workers[1].parks > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto m = rt.metrics();
    CHECK(m.workers[0].parks > 0);
    CHECK(m.workers[1].parks > 0);
}

TEST_CASE("spawning after shutdown gives a cancelled task", "[scheduler][shutdown]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    Handle h = rt.handle();
    rt.shutdown_timeout(std::chrono::milliseconds(100));
    std::atomic<bool> ran{false};
    auto j = h.spawn(set_flag(ran));
    CHECK(j.is_finished());
    CHECK_THROWS_AS(j.take_output(), JoinError);
    CHECK_FALSE(ran.load());
}

namespace {
// Pending once, after waking its own task several times in the same poll.
class WakeManyTimes : public Pollable<WakeManyTimes> {
   public:
    explicit WakeManyTimes(int& polls) : polls_(polls) {}
    bool poll(Context& cx) noexcept {
        if (++polls_ > 1) return true;
        for (int i = 0; i < 5; ++i) cx.waker().wake_by_ref();
        Waker owned = cx.waker().clone();
        Waker copy = owned;
        owned.wake();
        copy.wake();
        return false;
    }
    void await_resume() const noexcept {}

   private:
    int& polls_;
};
}  // namespace

TEST_CASE("many wakes during one poll schedule the task exactly once more", "[scheduler][waker]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    int polls = 0;
    rt.block_on([](int& polls) -> Task<void> { co_await WakeManyTimes(polls); }(polls));
    CHECK(polls == 2);
    auto m = rt.metrics();
    std::uint64_t total = 0;
    for (const auto& w : m.workers) total += w.polls;
    CHECK(total == 2);  // the root task: first poll, then exactly one re-poll
}

namespace {
// Waits (bounded: the machine may be loaded) until `flag` is set; false if it never was.
bool wait_for_flag(const std::atomic<bool>& flag) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    return true;
}
}  // namespace

// The parking protocol (multi_thread/idle.hpp): a task pushed to the global queue while the
// last searching worker gives up and parks is seen by one of them, the pusher (which then wakes a
// sleeper) or the searcher (which checks the queues after it stopped counting as searching).
TEST_CASE("a task spawned from outside while every worker goes to park always runs",
          "[scheduler][park]") {
    const std::size_t workers = GENERATE(2, 3, 4);
    auto rt = Builder::new_multi_thread().worker_threads(workers).build();
    int lost = 0;
    for (int i = 0; i < 2000 && lost == 0; ++i) {
        // Shared: a task found late must not write to a flag that is gone.
        auto ran = std::make_shared<std::atomic<bool>>(false);
        // The previous task's worker is on its way to park (searching first) when this arrives.
        rt.handle()
            .spawn([](std::shared_ptr<std::atomic<bool>> ran) -> Task<void> {
                ran->store(true);
                co_return;
            }(ran))
            .detach();
        if (!wait_for_flag(*ran)) ++lost;
    }
    CHECK(lost == 0);
}

// Two tasks handing a notify_one back and forth, with yields that move them between workers, so
// that wakes race the other task's parking worker. Every round must arrive.
TEST_CASE("a notify_one ping-pong across multi_thread workers never stalls", "[scheduler][park]") {
    const std::size_t workers = GENERATE(2, 3, 4);
    constexpr int kRounds = 20000;
    std::atomic<bool> done{false};  // declared before the runtime: they outlive its tasks
    std::atomic<int> rounds{0};
    auto rt = Builder::new_multi_thread().worker_threads(workers).build();
    auto ping = std::make_shared<sync::Notify>();
    auto pong = std::make_shared<sync::Notify>();
    rt.handle()
        .spawn([](std::shared_ptr<sync::Notify> ping, std::shared_ptr<sync::Notify> pong,
                  std::atomic<int>& rounds) -> Task<void> {
            for (int i = 0; i < kRounds; ++i) {
                co_await ping->notified();
                rounds.fetch_add(1);
                if (i % 7 == 0) co_await yield_now();
                pong->notify_one();
            }
        }(ping, pong, rounds))
        .detach();
    rt.handle()
        .spawn([](std::shared_ptr<sync::Notify> ping, std::shared_ptr<sync::Notify> pong,
                  std::atomic<bool>& done) -> Task<void> {
            for (int i = 0; i < kRounds; ++i) {
                ping->notify_one();
                if (i % 5 == 0) co_await yield_now();
                co_await pong->notified();
            }
            done.store(true);
        }(ping, pong, done))
        .detach();
    // Generous: on an idle machine this takes well under a second.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    INFO("rounds received: " << rounds.load() << " of " << kRounds);
    CHECK(done.load());
}

// A worker's full local queue sheds half its tasks into the worker's overflow list. Those tasks
// must not wait for the queue to drain: tasks that keep yielding never drain it.
TEST_CASE("a task shed by a full local queue runs while the queue's tasks keep yielding",
          "[scheduler][fairness]") {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::atomic<bool> shed_ran{false};
    rt.block_on([](std::atomic<bool>& shed_ran,
                   std::chrono::steady_clock::time_point deadline) -> Task<void> {
        // Spawned first, so the oldest in the queue: the first shed when it fills.
        auto shed = spawn(set_flag(shed_ran));
        std::vector<JoinHandle<void>> yielders;
        for (int i = 0; i < 600; ++i) {
            yielders.push_back(
                spawn([](std::atomic<bool>& stop,
                         std::chrono::steady_clock::time_point deadline) -> Task<void> {
                    while (!stop.load() && std::chrono::steady_clock::now() < deadline)
                        co_await yield_now();
                }(shed_ran, deadline)));
        }
        co_await shed;
        for (auto& y : yielders) co_await y;
    }(shed_ran, deadline));
    CHECK(std::chrono::steady_clock::now() < deadline);
}

// The tasks a full local queue shed can be taken by another worker, as its queue's can. One
// worker is held in a poll while the other fills its queue past capacity, then the first is let
// go and the second is stuck in one poll until every task it spawned has run elsewhere.
TEST_CASE("another worker runs the tasks a stuck worker's full local queue shed",
          "[scheduler][steal]") {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    constexpr int kTasks = 600;
    std::atomic<bool> holding{false};
    std::atomic<bool> release{false};
    std::atomic<int> ran{0};
    rt.handle()
        .spawn([](std::atomic<bool>& holding, std::atomic<bool>& release) -> Task<void> {
            holding.store(true);
            while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            co_return;
        }(holding, release))
        .detach();
    while (!holding.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    int ran_while_stuck = 0;
    rt.block_on(
        [](std::atomic<bool>& release, std::atomic<int>& ran, int& ran_while_stuck) -> Task<void> {
            for (int i = 0; i < kTasks; ++i)
                spawn([](std::atomic<int>& ran) -> Task<void> {
                    ran.fetch_add(1);
                    co_return;
                }(ran))
                    .detach();
            release.store(true);
            // Blocks this worker (no await): the other one must take everything but the last task
            // spawned, which waits in this worker's LIFO slot (rescued by the stall monitor only).
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (ran.load() < kTasks - 1 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ran_while_stuck = ran.load();
            co_return;
        }(release, ran, ran_while_stuck));
    CHECK(ran_while_stuck == kTasks - 1);
    const RuntimeMetrics m = rt.metrics();
    std::uint64_t overflows = 0;
    for (const auto& w : m.workers) overflows += w.overflows;
    CHECK(overflows > 0);  // the queue did shed
}

TEST_CASE("a run queue that never empties still has its timers fired every event_interval polls",
          "[scheduler]") {
    // A task that yields forever keeps the queue busy, so the worker never parks: only the
    // driver poll every event_interval polls fires the sleep.
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor, 1);
    constexpr long kMaxYields = 50'000'000;
    const long yields = rt.block_on([]() -> Task<long> {
        auto slept = std::make_shared<std::atomic<bool>>(false);
        auto busy = spawn([](std::shared_ptr<std::atomic<bool>> slept) -> Task<long> {
            long n = 0;
            while (!slept->load() && n < kMaxYields) {
                co_await yield_now();
                ++n;
            }
            co_return n;
        }(slept));
        co_await time::sleep(std::chrono::milliseconds(5));
        slept->store(true);
        co_return co_await busy;
    }());
    CHECK(yields < kMaxYields);
}
