// A plugin written with the C++ SDK's Tokio toolkit, for sdk_toolkit_test.cpp: each mode runs one
// part of it through the real host and logs what it saw, then "toolkit: <mode> done".
// Config {"mode": M}: interval, timeout, select, join, join_set, cancel, oneshot, mutex, rwlock,
// barrier.
#include <weft/plugin.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using weft::Clock;

// Logs when destroyed: shows that a branch or task was dropped (cancelled).
struct DropNote {
    weft::Logger log;
    std::string what;
    DropNote(weft::Logger l, std::string w) : log(l), what(std::move(w)) {}
    DropNote(const DropNote&) = delete;
    DropNote& operator=(const DropNote&) = delete;
    ~DropNote() { log.info("toolkit: dropped ", what); }
};

weft::Task<int> value_after(Clock::duration delay, int v) {
    co_await weft::sleep(delay);
    co_return v;
}
weft::Task<int> ready(int v) { co_return v; }
weft::Task<> forever() { co_await weft::sleep(std::chrono::hours(1)); }
weft::Task<int> fail_after(Clock::duration delay, std::string message) {
    co_await weft::sleep(delay);
    throw std::runtime_error(message);
}
weft::Task<int> sleeper(weft::Logger log, std::string name) {
    DropNote note(log, name);
    co_await weft::sleep(std::chrono::hours(1));
    co_return -1;
}

long ms(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

class Toolkit : public weft::Plugin {
   public:
    explicit Toolkit(const weft::PluginContext& ctx)
        : Plugin(ctx), mode_(config().value("mode", "interval")) {}

    void start() override {
        if (mode_ == "interval") spawn(finish(interval()));
        if (mode_ == "timeout") spawn(finish(timeouts()));
        if (mode_ == "select") spawn(finish(selects()));
        if (mode_ == "join") spawn(finish(joins()));
        if (mode_ == "join_set") spawn(finish(join_sets()));
        if (mode_ == "cancel") spawn(finish(cancellation()));
        if (mode_ == "oneshot") spawn(finish(oneshots()));
        if (mode_ == "mutex") spawn(finish(mutexes()));
        if (mode_ == "rwlock") spawn(finish(rwlocks()));
        if (mode_ == "barrier") spawn(finish(barriers()));
        if (mode_ == "children") spawn(finish(children()));
    }

   private:
    weft::Task<> finish(weft::Task<> body) {
        try {
            co_await std::move(body);
        } catch (const std::exception& e) {
            log().error("toolkit: ", mode_, " threw ", e.what());
        }
        log().info("toolkit: ", mode_, " done");
    }

    // ---- interval ----------------------------------------------------------------------------
    // Ticks at 20 ms; after the second tick the task stalls for 110 ms (five ticks missed), then
    // takes three more ticks. Logs what each behaviour made of the stall. A tick seen more than
    // 5 ms after it was due is a missed one to delay and skip too: a run in which the machine,
    // not the stall, made a tick late (a loaded test host) is measured again, up to five times.
    weft::Task<> interval() {
        for (auto behavior : {weft::MissedTickBehavior::burst, weft::MissedTickBehavior::delay,
                              weft::MissedTickBehavior::skip}) {
            const char* name = behavior == weft::MissedTickBehavior::burst   ? "burst"
                               : behavior == weft::MissedTickBehavior::delay ? "delay"
                                                                             : "skip";
            for (int attempt = 1;; ++attempt) {
                bool disturbed = false;
                const auto tick = [&](weft::Interval& ticks,
                                      bool may_be_late) -> weft::Task<Clock::time_point> {
                    const auto due = co_await ticks.tick();
                    if (!may_be_late && Clock::now() - due > 5ms) disturbed = true;
                    co_return due;
                };
                auto ticks = weft::interval(20ms);
                ticks.set_missed_tick_behavior(behavior);
                const auto first = co_await tick(ticks, false);
                const auto second = co_await tick(ticks, false);
                std::this_thread::sleep_for(110ms);  // a stalled task misses five ticks
                const auto stall_end = Clock::now();
                const auto t3 = co_await tick(ticks, true);  // due during the stall: at once
                const auto t4 = co_await tick(ticks, false);
                const auto t5 = co_await tick(ticks, false);
                if (disturbed && attempt < 5) continue;
                const auto on_grid = [&](Clock::time_point t) {
                    return (t - first) % 20ms == Clock::duration::zero();
                };
                log().info("toolkit: ", name,
                           " second tick a period later: ", second - first == 20ms ? "yes" : "no");
                log().info("toolkit: ", name,
                           " late tick is the missed one: ", t3 - first == 40ms ? "yes" : "no");
                log().info("toolkit: ", name, " ticks after the stall: ",
                           t4 < stall_end ? "due before its end" : "due after its end", ", ",
                           on_grid(t4) && on_grid(t5) ? "on the original grid" : "off the grid",
                           ", spaced ", ms(t5 - t4), " ms");
                break;
            }
        }
        // The first tick completes at once, even for an hourly interval (else: no line in 5 s).
        auto hourly = weft::interval(std::chrono::hours(1));
        const bool at_once = (co_await weft::timeout(5s, hourly.tick())).has_value();
        log().info("toolkit: the first tick of an hourly interval completes at once: ",
                   at_once ? "yes" : "no");
        // reset_after: the next tick is due that long after the reset.
        auto before = Clock::now();
        hourly.reset_after(30ms);
        auto after = Clock::now();
        const auto due = co_await hourly.tick();
        log().info("toolkit: reset_after moves the next tick: ",
                   due >= before + 30ms && due <= after + 30ms ? "yes" : "no");
        before = Clock::now();
        hourly.reset_immediately();
        after = Clock::now();
        const auto now_due = co_await hourly.tick();
        log().info("toolkit: reset_immediately makes it due now: ",
                   now_due >= before && now_due <= after ? "yes" : "no");
        try {
            (void)weft::interval(0ms);
        } catch (const std::invalid_argument& e) {
            log().info("toolkit: zero period: ", e.what());
        }
    }

    // ---- timeout -----------------------------------------------------------------------------
    weft::Task<> timeouts() {
        auto slow = co_await weft::timeout(20ms, sleeper(log(), "timed-out child task"));
        log().info("toolkit: timeout on a slow task: ", slow ? "value" : "timed out");
        auto quick = co_await weft::timeout(10s, value_after(1ms, 7));
        log().info("toolkit: timeout on a quick task: ",
                   quick ? std::to_string(*quick) : "timed out");

        auto handle = weft::spawn(value_after(60ms, 9));
        const auto early = co_await weft::timeout(5ms, handle);  // awaited in place
        log().info("toolkit: timeout on a join handle: ", early ? "value" : "timed out");
        log().info("toolkit: the handle after its timeout gives ", co_await handle);

        const auto at = co_await weft::timeout_at(Clock::now() + 10ms, shutdown().requested());
        log().info("toolkit: timeout_at: ", at ? "did not fire" : "fired");
        try {
            (void)co_await weft::timeout(10s, fail_after(1ms, "inner failure"));
        } catch (const std::runtime_error& e) {
            log().info("toolkit: timeout rethrew '", e.what(), "'");
        }
    }

    // ---- select / first_of -------------------------------------------------------------------
    weft::Task<> selects() {
        auto [tx, rx] = weft::oneshot::channel<std::string>();
        auto sender = weft::spawn(send_later(std::move(tx)));
        auto r = co_await weft::first_of(weft::sleep(std::chrono::hours(1)),
                                         sleeper(log(), "losing branch task"), rx,
                                         shutdown().requested());
        log().info("toolkit: first_of of four picked ", r.index(), " with '", *std::get<2>(r), "'");
        co_await sender;

        int firsts[2] = {0, 0};
        int fair[2] = {0, 0};
        for (int i = 0; i < 200; ++i) {
            ++firsts[(co_await weft::first_of(ready(0), ready(1))).index()];
            ++fair[(co_await weft::select(ready(0), ready(1))).index()];
        }
        log().info("toolkit: first_of is biased: ", firsts[0] == 200 ? "yes" : "no");
        log().info("toolkit: select is fair: ", fair[0] > 0 && fair[1] > 0 ? "yes" : "no");

        try {
            (void)co_await weft::select(fail_after(1ms, "branch failed"), weft::sleep(10s));
        } catch (const std::runtime_error& e) {
            log().info("toolkit: select rethrew '", e.what(), "'");
        }
    }
    weft::Task<> send_later(weft::oneshot::Sender<std::string> tx) {
        co_await weft::sleep(10ms);
        (void)tx.send("hello");
    }

    // ---- join, try_join, join_all ------------------------------------------------------------
    weft::Task<> joins() {
        // ping sends then waits for pong's answer, pong waits for ping: only branches that run
        // concurrently finish (one after the other would never end: the timeout says so).
        auto [to_pong, from_ping] = weft::oneshot::channel<int>();
        auto [to_ping, from_pong] = weft::oneshot::channel<int>();
        auto both = co_await weft::timeout(
            5s, weft::join(ping(std::move(to_pong), std::move(from_pong)),
                           pong(std::move(from_ping), std::move(to_ping)), weft::sleep(1ms)));
        if (both) {
            log().info("toolkit: join ran its branches concurrently and gave ", std::get<0>(*both),
                       " and ", std::get<1>(*both));
        } else {
            log().info("toolkit: join did not run its branches concurrently");
        }

        try {
            (void)co_await weft::try_join(sleeper(log(), "try_join's other branch"),
                                          fail_after(5ms, "first error"));
        } catch (const std::runtime_error& e) {
            log().info("toolkit: try_join rethrew '", e.what(), "'");
        }

        std::vector<weft::JoinHandle<int>> handles;
        for (int i = 1; i <= 50; ++i) handles.push_back(weft::spawn(value_after(1ms * (i % 7), i)));
        const auto all = co_await weft::join_all(std::move(handles));
        int sum = 0;
        for (int v : all) sum += v;
        log().info("toolkit: join_all of 50 tasks: ", all.size(), " results summing to ", sum,
                   ", in order: ", all.front() == 1 && all.back() == 50 ? "yes" : "no");

        std::vector<weft::Task<int>> tasks;
        tasks.push_back(sleeper(log(), "try_join_all's other task"));
        tasks.push_back(fail_after(2ms, "one of many failed"));
        try {
            (void)co_await weft::try_join_all(std::move(tasks));
        } catch (const std::runtime_error& e) {
            log().info("toolkit: try_join_all rethrew '", e.what(), "'");
        }
    }

    weft::Task<int> ping(weft::oneshot::Sender<int> tx, weft::oneshot::Receiver<int> rx) {
        (void)tx.send(1);
        co_return (co_await rx).value_or(-1);
    }
    weft::Task<int> pong(weft::oneshot::Receiver<int> rx, weft::oneshot::Sender<int> tx) {
        const int v = (co_await rx).value_or(-1);
        (void)tx.send(v + 1);
        co_return v;
    }

    // ---- JoinSet -----------------------------------------------------------------------------
    weft::Task<> join_sets() {
        weft::JoinSet<int> set;
        for (int i = 0; i < 200; ++i) set.spawn(value_after(1ms * (i % 5), i));
        long sum = 0;
        int count = 0;
        while (auto v = co_await set.join_next()) {
            sum += *v;
            ++count;
        }
        log().info("toolkit: join_set joined ", count, " tasks, sum ", sum,
                   ", empty after: ", set.empty() ? "yes" : "no");

        set.spawn(fail_after(1ms, "a set task failed"));
        set.spawn(value_after(5ms, 5));
        int failures = 0;
        int values = 0;
        while (!set.empty()) {
            try {
                if (co_await set.join_next()) ++values;
            } catch (const std::runtime_error& e) {
                ++failures;
                log().info("toolkit: join_next rethrew '", e.what(), "'");
            }
        }
        log().info("toolkit: join_set went on after a failure: ", failures, " failed, ", values,
                   " gave a value");

        set.spawn(sleeper(log(), "aborted set task"));
        set.spawn(sleeper(log(), "aborted set task"));
        set.abort_all();
        int cancelled = 0;
        while (!set.empty()) {
            try {
                (void)co_await set.join_next();
            } catch (const weft::Error& e) {
                if (e.status() == WEFT_ERR_CANCELLED) ++cancelled;
            }
        }
        log().info("toolkit: abort_all: ", cancelled, " cancelled");

        {
            weft::JoinSet<int> doomed;
            auto [started, has_started] = weft::oneshot::channel<int>();
            doomed.spawn(started_sleeper(std::move(started)));
            (void)co_await has_started;
        }
        weft::JoinSet<> voids;
        voids.spawn(forever());
        co_await voids.shutdown();
        log().info("toolkit: shutdown emptied the set: ", voids.empty() ? "yes" : "no");
        log().info("toolkit: join_next of an empty set: ",
                   (co_await set.join_next()) ? "a value" : "empty");
    }

    // ---- cancellation tokens -----------------------------------------------------------------
    weft::Task<> cancellation() {
        auto root = shutdown().child_token();
        auto child = root.child_token();
        auto grandchild = child.child_token();
        auto waiter = weft::spawn(wait_cancelled(grandchild, "grandchild"));
        co_await weft::sleep(5ms);
        child.cancel();
        co_await waiter;
        log().info("toolkit: after child.cancel(): root ",
                   root.is_cancelled() ? "cancelled" : "live", ", child ",
                   child.is_cancelled() ? "cancelled" : "live", ", grandchild ",
                   grandchild.is_cancelled() ? "cancelled" : "live", ", a new child of child ",
                   child.child_token().is_cancelled() ? "cancelled" : "live");

        auto run = co_await root.run_until_cancelled(value_after(1ms, 3));
        log().info("toolkit: run_until_cancelled on a live token gave ",
                   run ? std::to_string(*run) : "nothing");
        auto none =
            co_await child.run_until_cancelled(sleeper(log(), "run_until_cancelled's task"));
        log().info("toolkit: run_until_cancelled on a cancelled token gave ",
                   none ? "a value" : "nothing");

        auto guarded = weft::CancellationToken();
        { auto guard = guarded.drop_guard(); }
        auto kept = weft::CancellationToken();
        {
            auto guard = kept.drop_guard();
            (void)guard.disarm();
        }
        log().info("toolkit: drop_guard cancels: ", guarded.is_cancelled() ? "yes" : "no",
                   ", disarmed: ", kept.is_cancelled() ? "cancelled" : "live");

        // Left waiting for the daemon's shutdown, the root of `root`.
        spawn(wait_cancelled(root.child_token(), "shutdown's grandchild"));
        spawn(sleep_until_shutdown());
    }
    weft::Task<> sleep_until_shutdown() {
        const bool slept =
            co_await shutdown().run_until_cancelled(weft::sleep(std::chrono::hours(1)));
        log().info("toolkit: shutdown's run_until_cancelled gave ",
                   slept ? "the sleep" : "nothing");
    }
    weft::Task<int> started_sleeper(weft::oneshot::Sender<int> started) {
        DropNote note(log(), "task of a destroyed set");
        (void)started.send(1);
        co_await weft::sleep(std::chrono::hours(1));
        co_return 0;
    }
    weft::Task<> wait_cancelled(weft::CancellationToken token, std::string name) {
        co_await token.cancelled();
        log().info("toolkit: ", name, " token cancelled");
    }

    // ---- oneshot -----------------------------------------------------------------------------
    weft::Task<> oneshots() {
        {
            auto [tx, rx] = weft::oneshot::channel<int>();
            log().info("toolkit: oneshot try_recv before the send: ",
                       rx.try_recv() ? "a value" : "empty");
            auto sender = weft::spawn(send_int(std::move(tx), 41));
            auto v = co_await rx;
            log().info("toolkit: oneshot received ", v ? std::to_string(*v) : "nothing",
                       ", terminated: ", rx.is_terminated() ? "yes" : "no");
            co_await sender;
        }
        {
            auto [tx, rx] = weft::oneshot::channel<int>();
            auto dropper = weft::spawn(drop_sender(std::move(tx)));
            auto v = co_await rx;
            log().info("toolkit: oneshot with its sender dropped: ", v ? "a value" : "empty");
            try {
                (void)rx.try_recv();
            } catch (const weft::Error& e) {
                log().info("toolkit: oneshot try_recv after: ", weft_status_str(e.status()));
            }
            co_await dropper;
        }
        {
            auto [tx, rx] = weft::oneshot::channel<int>();
            auto closed = weft::spawn(wait_closed(std::move(tx)));
            co_await weft::sleep(5ms);
            { auto gone = std::move(rx); }
            log().info("toolkit: oneshot send to a dropped receiver: ",
                       co_await closed ? "delivered" : "refused");
        }
    }
    weft::Task<> send_int(weft::oneshot::Sender<int> tx, int v) {
        co_await weft::sleep(5ms);
        (void)tx.send(v + 1);
    }
    weft::Task<> drop_sender(weft::oneshot::Sender<int> tx) {
        co_await weft::sleep(5ms);
        auto gone = std::move(tx);
    }
    weft::Task<bool> wait_closed(weft::oneshot::Sender<int> tx) {
        co_await tx.closed();
        log().info("toolkit: oneshot closed() completed, is_closed: ",
                   tx.is_closed() ? "yes" : "no");
        co_return tx.send(1);
    }

    // ---- Mutex -------------------------------------------------------------------------------
    struct Shared {
        weft::Mutex<long> counter{0};
        std::atomic<int> inside{0};
        std::atomic<int> most_inside{0};
    };
    weft::Task<> mutexes() {
        auto shared = std::make_shared<Shared>();
        std::vector<weft::JoinHandle<>> workers;
        for (int i = 0; i < 8; ++i) workers.push_back(weft::spawn(increment(shared, 500)));
        co_await weft::join_all(std::move(workers));
        log().info("toolkit: mutex counted ", shared->counter.get_unchecked(),
                   ", most tasks inside at once: ", shared->most_inside.load());
        {
            auto guard = co_await shared->counter.lock();
            log().info("toolkit: try_lock while held: ",
                       shared->counter.try_lock() ? "taken" : "refused");
            // A lock() cancelled by a timeout takes nothing and keeps no place in line.
            auto timed = co_await weft::timeout(5ms, shared->counter.lock());
            log().info("toolkit: lock under a timeout while held: ",
                       timed ? "locked" : "timed out");
        }
        log().info("toolkit: try_lock once released: ",
                   shared->counter.try_lock() ? "taken" : "refused");
    }
    weft::Task<> increment(std::shared_ptr<Shared> shared, int n) {
        for (int i = 0; i < n; ++i) {
            auto guard = co_await shared->counter.lock();
            const int now = shared->inside.fetch_add(1) + 1;
            int most = shared->most_inside.load();
            while (now > most && !shared->most_inside.compare_exchange_weak(most, now)) {
            }
            const long seen = *guard;
            if (i % 16 == 0) co_await weft::yield_now();  // held across an await
            *guard = seen + 1;
            shared->inside.fetch_sub(1);
        }
    }

    // ---- RwLock ------------------------------------------------------------------------------
    weft::Task<> rwlocks() {
        auto lock = std::make_shared<weft::RwLock<int>>(1);
        {
            auto r1 = co_await lock->read();
            auto r2 = co_await lock->read();
            log().info("toolkit: two readers at once: ", *r1 + *r2,
                       ", try_write: ", lock->try_write() ? "taken" : "refused");
            // join polls write() first (it queues behind the readers), then the task that,
            // with the writer waiting, tries to read (refused: fair) and lets the readers go.
            auto [w, _] = co_await weft::join(
                lock->write(), try_read_then_release(lock, std::move(r1), std::move(r2)));
            *w = 5;
            log().info("toolkit: the writer got in after the readers and wrote ", *w);
        }
        auto w = co_await lock->write();
        *w = 10;
        auto r = std::move(w).downgrade();
        log().info("toolkit: downgraded guard reads ", *r,
                   ", try_read: ", lock->try_read() ? "taken" : "refused",
                   ", try_write: ", lock->try_write() ? "taken" : "refused");
    }
    weft::Task<> try_read_then_release(std::shared_ptr<weft::RwLock<int>> lock,
                                       weft::RwLockReadGuard<int> r1,
                                       weft::RwLockReadGuard<int> r2) {
        log().info("toolkit: try_read with a writer waiting: ",
                   lock->try_read() ? "taken" : "refused");
        r1.unlock();
        r2.unlock();
        co_return;
    }

    // ---- Barrier -----------------------------------------------------------------------------
    // ---- child tasks -------------------------------------------------------------------------
    // A million awaits of child tasks that finish at once: constant stack whatever the compiler
    // does with symmetric transfer (task.hpp's FinalAwaiter).
    static weft::Task<int> one() { co_return 1; }
    weft::Task<> children() {
        long sum = 0;
        for (int i = 0; i < 1'000'000; ++i) sum += co_await one();
        log().info("toolkit: a million child awaits summed to ", sum);
    }

    weft::Task<> barriers() {
        auto barrier = std::make_shared<weft::Barrier>(5);
        auto leaders = std::make_shared<std::atomic<int>>(0);
        std::vector<weft::JoinHandle<>> tasks;
        for (int i = 0; i < 5; ++i) tasks.push_back(weft::spawn(at_barrier(barrier, leaders, 3)));
        co_await weft::join_all(std::move(tasks));
        log().info("toolkit: barrier of 5 over 3 generations had ", leaders->load(), " leaders");
        weft::Barrier zero(0);
        log().info("toolkit: barrier of 0 leads at once: ",
                   (co_await zero.wait()).is_leader() ? "yes" : "no");
    }
    weft::Task<> at_barrier(std::shared_ptr<weft::Barrier> barrier,
                            std::shared_ptr<std::atomic<int>> leaders, int generations) {
        for (int g = 0; g < generations; ++g) {
            co_await weft::sleep(1ms * (g + 1));
            if ((co_await barrier->wait()).is_leader()) leaders->fetch_add(1);
        }
    }

    std::string mode_;
};

}  // namespace

WEFT_PLUGIN(Toolkit, "toolkit-probe", "0.1.0")
