// weft-stress: runs the runtime's workloads many times on a perturbed machine and fails, with a
// one-line reproduction, on the first run that hangs or loses something.
//
//   weft-stress [--workload NAME|all] [--flavor current_thread|multi_thread|any]
//               [--workers 1-4|0] [--seed S] [--runs N] [--seconds T] [--timeout T]
//
// Each run picks its flavor and worker count (1-4) from its seed unless they are given, turns the
// runtime's stress points on with that seed (util/stress.hpp: random yields and short spins at
// the synchronisation points, when the build has WEFT_STRESS_INJECT), builds a fresh runtime and
// runs the workload in it. A watchdog bounds every run: a run whose runtime polled no task for
// --timeout seconds (a lost wake-up), or that has not finished after ten times that, is a hang,
// reported with the workload, flavor, workers and seed and the command that runs exactly that
// configuration again; the process then exits 1 without unwinding (the hung runtime cannot be
// dropped). A run that finishes after a second or more is reported as slow, with its polls, parks
// and steals. Runs stop after --runs runs or --seconds seconds (default: $WEFT_STRESS_SECONDS,
// else 8), whichever comes first; at least one run is made. Run i uses seed + i.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/blocking/block_in_place.hpp"
#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/net/net.hpp"
#include "runtime/pool/pool.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sync/sync.hpp"
#include "runtime/time/time.hpp"
#include "runtime/util/stress.hpp"

using namespace weft;
using namespace std::chrono_literals;

namespace {

struct Rng {
    std::uint64_t s;
    explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// A failed invariant: the run is reported like a hang, with its reproduction.
struct Broken : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const char* what) {
    if (!ok) throw Broken(what);
}

// Counts down; the task that reaches zero notifies the waiter (Notify stores the permit if the
// waiter is not registered yet, so the last wake-up cannot be lost).
class Latch {
   public:
    explicit Latch(std::uint64_t n) : remaining_(n) {}
    void count_down() {
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) notify_.notify_one();
    }
    Task<void> wait() {
        while (remaining_.load(std::memory_order_acquire) != 0) co_await notify_.notified();
    }

   private:
    std::atomic<std::uint64_t> remaining_;
    sync::Notify notify_;
};

// --- workloads -----------------------------------------------------------------------------------

// sleep_many at a small scale: many tasks sleeping 1-20 ms, some filed from a thread outside the
// runtime while its workers park, some sleeping twice or resetting their Sleep.
void sleep_many(Runtime& rt, std::uint64_t seed) {
    constexpr std::uint64_t kInside = 600, kOutside = 200;
    auto latch = std::make_shared<Latch>(kInside + kOutside);
    auto sleeper = [](std::chrono::milliseconds d, int twice,
                      std::shared_ptr<Latch> latch) -> Task<void> {
        co_await time::sleep(d);
        if (twice == 1) co_await time::sleep(d / 2);
        if (twice == 2) {
            auto s = time::sleep(d);
            s.reset(time::now() + d / 3);
            co_await s;
        }
        latch->count_down();
    };
    std::thread outside([&rt, seed, latch, sleeper] {
        Rng rng(seed ^ 0xABCDEF);
        for (std::uint64_t i = 0; i < kOutside; ++i) {
            rt.handle()
                .spawn(sleeper(std::chrono::milliseconds(1 + rng.below(20)),
                               static_cast<int>(rng.below(3)), latch))
                .detach();
            if (rng.below(8) == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
    });
    rt.block_on([](std::shared_ptr<Latch> latch, std::uint64_t seed, auto sleeper) -> Task<void> {
        Rng rng(seed);
        for (std::uint64_t i = 0; i < kInside; ++i) {
            spawn(sleeper(std::chrono::milliseconds(1 + rng.below(20)),
                          static_cast<int>(rng.below(3)), latch))
                .detach();
            if (rng.below(64) == 0) co_await time::sleep(std::chrono::milliseconds(rng.below(3)));
        }
        co_await latch->wait();
    }(latch, seed, sleeper));
    outside.join();
}

// Timeouts that elapse and timeouts that do not, and intervals, racing each other.
void timers(Runtime& rt, std::uint64_t seed) {
    rt.block_on([](std::uint64_t seed) -> Task<void> {
        constexpr int kTasks = 200;
        auto latch = std::make_shared<Latch>(kTasks);
        std::atomic<int> elapsed{0}, completed{0};
        for (int t = 0; t < kTasks; ++t) {
            spawn([](int t, std::uint64_t seed, std::shared_ptr<Latch> latch,
                     std::atomic<int>& elapsed, std::atomic<int>& completed) -> Task<void> {
                Rng rng(seed + static_cast<std::uint64_t>(t));
                if (t % 4 == 0) {
                    auto iv = time::interval(std::chrono::milliseconds(1 + rng.below(4)));
                    for (int i = 0; i < 4; ++i) (void)co_await iv.tick();
                } else {
                    const auto inner = std::chrono::milliseconds(rng.below(12));
                    const auto bound = std::chrono::milliseconds(1 + rng.below(12));
                    auto r = co_await time::timeout(bound, time::sleep(inner));
                    (r ? completed : elapsed).fetch_add(1);
                }
                latch->count_down();
            }(t, seed, latch, elapsed, completed))
                .detach();
        }
        co_await latch->wait();
        require(elapsed.load() + completed.load() == kTasks - kTasks / 4,
                "every timeout either completed or elapsed");
    }(seed));
}

// Bounded mpsc between tasks and an outside thread: nothing lost, nothing duplicated.
void channel(Runtime& rt, std::uint64_t seed) {
    constexpr int kProducers = 4, kPer = 2000;
    auto [tx, rx] = sync::mpsc::channel<int>(4);
    std::thread outside([tx = tx]() mutable {
        // try_send from a plain thread: its wake-ups of the receiver cross threads.
        for (int i = 0; i < kPer;) {
            auto r = tx.try_send(-1);
            if (r.is_ok()) {
                ++i;
            } else if (r.error().is_closed()) {
                return;
            } else {
                std::this_thread::yield();
            }
        }
    });
    long sum = rt.block_on([](sync::mpsc::Sender<int> tx, sync::mpsc::Receiver<int> rx,
                              std::uint64_t seed) -> Task<long> {
        for (int p = 0; p < kProducers; ++p)
            spawn([](sync::mpsc::Sender<int> tx, std::uint64_t seed) -> Task<void> {
                Rng rng(seed);
                for (int i = 1; i <= kPer; ++i) {
                    (void)co_await tx.send(i);
                    if (rng.below(16) == 0) co_await yield_now();
                }
            }(tx, seed + static_cast<std::uint64_t>(p)))
                .detach();
        { auto gone = std::move(tx); }
        long sum = 0;
        while (auto v = co_await rx.recv()) sum += *v;
        co_return sum;
    }(std::move(tx), std::move(rx), seed));
    outside.join();
    require(sum == kProducers * (long{kPer} * (kPer + 1) / 2) - kPer,
            "every message sent was received once");
}

// Notify ping-pong between two tasks, with notify_waiters broadcasts to a crowd on the side.
void notify(Runtime& rt, std::uint64_t seed) {
    rt.block_on([](std::uint64_t seed) -> Task<void> {
        constexpr int kRounds = 3000;
        auto ping = std::make_shared<sync::Notify>();
        auto pong = std::make_shared<sync::Notify>();
        auto other = spawn([](std::shared_ptr<sync::Notify> ping,
                              std::shared_ptr<sync::Notify> pong) -> Task<int> {
            int n = 0;
            for (int i = 0; i < kRounds; ++i) {
                co_await ping->notified();
                ++n;
                pong->notify_one();
            }
            co_return n;
        }(ping, pong));
        Rng rng(seed);
        for (int i = 0; i < kRounds; ++i) {
            ping->notify_one();
            if (rng.below(32) == 0) co_await yield_now();
            co_await pong->notified();
        }
        require(co_await other == kRounds, "every notify_one was received");
    }(seed));
}

// The scheduler: spawn trees and yields from inside and outside, every task joined.
void scheduler(Runtime& rt, std::uint64_t seed) {
    std::atomic<long> ran{0};
    std::thread outside([&] {
        for (int i = 0; i < 2000; ++i)
            rt.handle()
                .spawn([](std::atomic<long>& ran) -> Task<void> {
                    ran.fetch_add(1);
                    co_return;
                }(ran))
                .detach();
    });
    struct Tree {
        static Task<long> grow(int depth, std::uint64_t seed) {
            if (depth == 0) co_return 1;
            Rng rng(seed);
            if (rng.below(4) == 0) co_await yield_now();
            auto a = spawn(grow(depth - 1, seed * 2 + 1));
            auto b = spawn(grow(depth - 1, seed * 2 + 2));
            co_return 1 + co_await a + co_await b;
        }
    };
    const long nodes = rt.block_on(Tree::grow(10, seed));
    outside.join();
    rt.block_on([](std::atomic<long>& ran) -> Task<void> {
        while (ran.load() < 2000) co_await yield_now();
    }(ran));
    require(nodes == (1 << 11) - 1, "every task of the spawn tree ran once");
}

// I/O readiness: streams carry patterned bytes through an echo over loopback, written from one
// task and read from another, in random chunk sizes with yields in between, so that reads come
// short, writes meet a full buffer (backpressure on both ends), and readiness edges race the
// tasks that clear them (io_driver.hpp, rules 2, 3 and 3b). Every byte comes back, in order,
// before the end of stream. Each connection's first two bytes say which end drives (writes and
// reads in two tasks) and which echoes: half the time the accepted end drives, so that its
// reader and writer race to enter the socket in epoll at their first waits (rule 7).
namespace echo {

constexpr int kClients = 6;

unsigned char pattern(int client, std::uint64_t offset) {
    return static_cast<unsigned char>(client * 31 + offset * 7 + offset / 251);
}

Task<void> serve(net::TcpStream s, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<char> buf(16 * 1024);
    while (true) {
        auto n = co_await s.read(buf.data(), 1 + rng.below(buf.size()));
        require(n.has_value(), "the echoing end's read succeeds");
        if (*n == 0) break;
        auto w = co_await s.write_all(buf.data(), *n);
        require(w.has_value(), "the echoing end's write succeeds");
        if (rng.below(8) == 0) co_await yield_now();
    }
    require(s.shutdown().has_value(), "the echoing end shuts its write side down");
}

Task<void> send_all(std::shared_ptr<net::TcpStream> s, int client, std::uint64_t total,
                    std::uint64_t seed) {
    Rng rng(seed);
    std::vector<unsigned char> chunk(32 * 1024);
    for (std::uint64_t sent = 0; sent < total;) {
        const std::uint64_t n = std::min<std::uint64_t>(total - sent, 1 + rng.below(chunk.size()));
        for (std::uint64_t i = 0; i < n; ++i) chunk[i] = pattern(client, sent + i);
        auto w = co_await s->write_all(chunk.data(), n);
        require(w.has_value(), "the driving end's write succeeds");
        sent += n;
        if (rng.below(4) == 0) co_await yield_now();
    }
    require(s->shutdown().has_value(), "the driving end shuts its write side down");
}

Task<void> drive(net::TcpStream stream, int id, std::uint64_t seed) {
    Rng rng(seed);
    auto s = std::make_shared<net::TcpStream>(std::move(stream));
    const std::uint64_t total = 1 + rng.below(512 * 1024);
    auto writer = spawn(send_all(s, id, total, seed * 3 + 1));
    std::vector<unsigned char> buf(16 * 1024);
    std::uint64_t got = 0;
    while (true) {
        auto n = co_await s->read(buf.data(), 1 + rng.below(buf.size()));
        require(n.has_value(), "the driving end's read succeeds");
        if (*n == 0) break;
        for (std::size_t i = 0; i < *n; ++i)
            require(buf[i] == pattern(id, got + i), "the echoed bytes come back in order");
        got += *n;
        if (rng.below(8) == 0) co_await yield_now();
    }
    co_await writer;
    require(got == total, "every byte sent comes back before the end of stream");
}

constexpr char kAcceptedDrives = 'd';
constexpr char kAcceptedEchoes = 'e';

Task<void> client(net::SocketAddr addr, int id, std::uint64_t seed) {
    auto connected = co_await net::TcpStream::connect(addr);
    require(connected.has_value(), "the client connects");
    const bool accepted_drives = (seed >> 3) % 2 == 1;
    const char hello[2] = {accepted_drives ? kAcceptedDrives : kAcceptedEchoes,
                           static_cast<char>(id)};
    auto w = co_await connected->write_all(hello, sizeof hello);
    require(w.has_value(), "the client says which end drives");
    if (accepted_drives)
        co_await serve(std::move(*connected), seed);
    else
        co_await drive(std::move(*connected), id, seed);
}

// The accepted end: reads which end drives, then drives or echoes.
Task<void> accepted(net::TcpStream s, std::uint64_t seed) {
    char hello[2];
    auto r = co_await s.read_exact(hello, sizeof hello);
    require(r.has_value(), "the accepted end reads which end drives");
    if (hello[0] == kAcceptedDrives)
        co_await drive(std::move(s), hello[1], seed);
    else
        co_await serve(std::move(s), seed);
}

}  // namespace echo

void net_echo(Runtime& rt, std::uint64_t seed) {
    rt.block_on([](std::uint64_t seed) -> Task<void> {
        auto bound = net::TcpListener::bind(net::SocketAddr::localhost_v4(0));
        require(bound.has_value(), "the echo server binds a port on 127.0.0.1");
        auto listener = std::make_shared<net::TcpListener>(std::move(*bound));
        auto server =
            spawn([](std::shared_ptr<net::TcpListener> l, std::uint64_t seed) -> Task<void> {
                std::vector<JoinHandle<void>> ends;
                for (int i = 0; i < echo::kClients; ++i) {
                    auto c = co_await l->accept();
                    require(c.has_value(), "the echo server accepts");
                    ends.push_back(spawn(echo::accepted(std::move(c->stream),
                                                        seed + static_cast<std::uint64_t>(i))));
                }
                for (auto& e : ends) co_await e;
            }(listener, seed));
        std::vector<JoinHandle<void>> clients;
        for (int i = 0; i < echo::kClients; ++i)
            clients.push_back(spawn(
                echo::client(listener->local_addr(), i, seed * 7 + static_cast<std::uint64_t>(i))));
        for (auto& c : clients) co_await c;
        co_await server;
    }(seed));
}

// The blocking bridges: a plain thread blocking_sends into a channel of 2 that a task drains and
// blocking_recvs the echoes; each message's reply also crosses a oneshot (blocking_recv); the
// thread and the tasks share a Semaphore of 1 (blocking_acquire against acquire). Every wake-up
// of the parked thread crosses from a worker; a lost one is a hang.
void blocking_bridge(Runtime& rt, std::uint64_t seed) {
    constexpr int kMessages = 500;
    auto [to_task, task_rx] = sync::mpsc::channel<int>(2);
    auto [task_tx, from_task] = sync::mpsc::channel<sync::oneshot::Receiver<int>>(2);
    auto sem = std::make_shared<sync::Semaphore>(1);
    long sum = 0;
    std::thread plain(
        [&sum, seed, sem, tx = std::move(to_task), rx = std::move(from_task)]() mutable {
            Rng rng(seed ^ 0x5EED);
            for (int i = 1; i <= kMessages; ++i) {
                if (rng.below(4) == 0) {
                    auto permit = sem->blocking_acquire();
                    require(permit.is_ok(), "the semaphore is never closed");
                }
                tx.blocking_send(i).value();
                auto reply = rx.blocking_recv();
                require(reply.has_value(), "the echo task answers every message");
                auto value = reply->blocking_recv();
                require(value.is_ok(), "every oneshot carries its value");
                sum += *value;
            }
        });
    rt.block_on([](sync::mpsc::Receiver<int> rx,
                   sync::mpsc::Sender<sync::oneshot::Receiver<int>> tx,
                   std::shared_ptr<sync::Semaphore> sem, std::uint64_t seed) -> Task<void> {
        Rng rng(seed);
        while (auto v = co_await rx.recv()) {
            auto [otx, orx] = sync::oneshot::channel<int>();
            (co_await tx.send(std::move(orx))).value();
            if (rng.below(4) == 0) {
                auto permit = (co_await sem->acquire()).value();
                co_await yield_now();
            }
            if (rng.below(8) == 0) co_await yield_now();
            (void)otx.send(*v);
        }
    }(std::move(task_rx), std::move(task_tx), sem, seed));
    plain.join();
    require(sum == long{kMessages} * (kMessages + 1) / 2, "every message came back once");
}

// A pool of 3 shared by 40 tasks (pool.hpp's wait/wake protocol): acquires that wait, acquires
// that time out while waiting, waiting acquires dropped by abort, resources marked broken, the
// background maintenance keeping min_idle warm and, in one run of four, close() while tasks wait,
// all racing. Never more than max_size held or open at once; at the end nothing is in use, nobody
// waits, and every slot is accounted for. Then a pool's last owner lets go while another worker
// gives its last resource back (rule 9: exactly one of them deletes the pool).
// Counts the latch down when the task's frame goes, even if the task was aborted before it first
// ran (a parameter lives in the frame from the start; a local only once the body runs).
class CountDown {
   public:
    explicit CountDown(std::shared_ptr<Latch> latch) : latch_(std::move(latch)) {}
    CountDown(CountDown&& o) noexcept : latch_(std::move(o.latch_)) {}
    CountDown& operator=(CountDown&&) = delete;
    ~CountDown() {
        if (latch_) latch_->count_down();
    }

   private:
    std::shared_ptr<Latch> latch_;
};

void pool(Runtime& rt, std::uint64_t seed) {
    rt.block_on([](std::uint64_t seed) -> Task<void> {
        constexpr int kTasks = 40, kRounds = 60;
        constexpr std::size_t kMax = 3;
        auto open = std::make_shared<std::atomic<int>>(0);
        auto held = std::make_shared<std::atomic<int>>(0);
        struct Res {
            std::shared_ptr<std::atomic<int>> open;
            explicit Res(std::shared_ptr<std::atomic<int>> o) : open(std::move(o)) {
                open->fetch_add(1);
            }
            Res(Res&& r) noexcept = default;
            Res& operator=(Res&& r) noexcept = default;
            ~Res() {
                if (open) open->fetch_sub(1);
            }
        };
        pool::Manager<Res> m;
        m.create = [open] {
            return
                [](std::shared_ptr<std::atomic<int>> open) -> Task<sync::Result<Res, std::string>> {
                    co_return Res(std::move(open));
                }(open);
        };
        pool::PoolConfig cfg;
        cfg.max_size = kMax;
        cfg.min_idle = 1;
        cfg.idle_timeout = std::chrono::milliseconds(2);
        cfg.acquire_timeout = std::chrono::milliseconds(1 + seed % 3);
        auto p = pool::Pool<Res>::create(cfg, m);
        auto latch = std::make_shared<Latch>(kTasks);
        std::vector<JoinHandle<void>> victims;
        for (int t = 0; t < kTasks; ++t) {
            auto h =
                spawn([](std::shared_ptr<pool::Pool<Res>> p, int t, std::uint64_t seed,
                         std::shared_ptr<std::atomic<int>> held, CountDown /*done*/) -> Task<void> {
                    Rng rng(seed + static_cast<std::uint64_t>(t));
                    for (int i = 0; i < kRounds; ++i) {
                        auto r = co_await p->acquire();
                        if (!r) {
                            const bool closed = r.error().is_closed() && p->is_closed();
                            if (!r.error().is_exhausted() && !closed)
                                held->store(1000);  // reported at the end
                            continue;
                        }
                        // Released before the resource goes back (declared after it).
                        struct Hold {
                            std::shared_ptr<std::atomic<int>> held;
                            ~Hold() { held->fetch_sub(1); }
                        } hold{held};
                        if (held->fetch_add(1) >= static_cast<int>(kMax)) held->store(1000);
                        if (rng.below(3) == 0) co_await yield_now();
                        if (rng.below(8) == 0) r->mark_broken();
                    }
                }(p, t, seed, held, CountDown(latch)));
            if (t % 5 == 0)
                victims.push_back(std::move(h));
            else
                h.detach();
        }
        Rng rng(seed ^ 0x5A5A);
        co_await time::sleep(std::chrono::milliseconds(rng.below(3)));
        for (auto& v : victims) v.abort();  // some while they wait
        if (seed % 4 == 0) p->close();      // the others fail from now on, waiting or not
        co_await latch->wait();
        require(held->load() < 500, "at most max_size held and only exhaustion fails an acquire");
        // The maintenance task may be creating a resource for min_idle right now (a permit and a
        // reservation: counted in use until it is idle): give it time to finish, not forever.
        auto s = p->snapshot();
        for (int i = 0; i < 500 && (s.in_use != 0 || s.waiters != 0); ++i) {
            co_await time::sleep(std::chrono::milliseconds(2));
            s = p->snapshot();
        }
        require(s.in_use == 0 && s.waiters == 0, "nothing in use and nobody waiting at the end");
        require(s.size <= kMax && open->load() <= static_cast<int>(kMax),
                "never more than max_size open");
        // The maintenance task may also have started a creation since: close() closes the idle
        // resources at once and that one when its creation finishes (rule 8).
        p->close();
        for (int i = 0; i < 500 && p->snapshot().size != 0; ++i)
            co_await time::sleep(std::chrono::milliseconds(2));
        require(p->snapshot().size == 0,
                "close closed every idle resource and the one in creation");

        pool::PoolConfig plain;  // no maintenance task: the owners alone keep it
        plain.max_size = 2;
        auto q = pool::Pool<Res>::create(plain, m);
        auto last = co_await q->acquire();
        require(last.is_ok(), "a fresh pool hands out a resource");
        auto give_back = spawn([](pool::Pooled<Res> r, std::uint64_t seed) -> Task<void> {
            if (seed % 2 == 0) co_await yield_now();
            r.release();
        }(std::move(*last), seed));
        q.reset();  // races with the check-in on another worker
        co_await give_back;
        for (int i = 0; i < 500 && open->load() != 0; ++i)
            co_await time::sleep(std::chrono::milliseconds(2));
        require(open->load() == 0, "every resource closed, the deleted pool's idle one too");
    }(seed));
}

// block_in_place: 8 tasks each hand their worker to a new thread 20 times (f sleeps up to
// 200 us and spawns a task from outside the task context) while 4 producers and a consumer pass
// messages through a channel of 4. Each hand-off leaves the worker's queues to a new thread
// while its old one finishes a poll: a task stranded in a queue nobody runs is a hang. On
// current_thread block_in_place must be refused, and the channel part runs alone.
void block_in_place_workload(Runtime& rt, std::uint64_t seed) {
    constexpr int kBlockers = 8, kRounds = 20, kProducers = 4, kPer = 500;
    struct Outcome {
        long sum = 0;
        long rounds = 0;
        bool refused = false;
    };
    const Outcome out = rt.block_on([](std::uint64_t seed) -> Task<Outcome> {
        Outcome o;
        try {
            block_in_place([] {});
        } catch (const std::logic_error&) {
            o.refused = true;  // current_thread
        }
        auto [tx, rx] = sync::mpsc::channel<int>(4);
        for (int p = 0; p < kProducers; ++p)
            spawn([](sync::mpsc::Sender<int> tx) -> Task<void> {
                for (int i = 1; i <= kPer; ++i) (void)co_await tx.send(i);
            }(tx))
                .detach();
        { auto gone = std::move(tx); }
        std::vector<JoinHandle<long>> blockers;
        for (int b = 0; o.refused == false && b < kBlockers; ++b)
            blockers.push_back(spawn([](std::uint64_t seed) -> Task<long> {
                Rng rng(seed);
                long rounds = 0;
                for (int r = 0; r < kRounds; ++r) {
                    std::vector<JoinHandle<long>> inner;
                    const long v = block_in_place([&rng, &inner] {
                        std::this_thread::sleep_for(std::chrono::microseconds(rng.below(200)));
                        inner.push_back(spawn([]() -> Task<long> { co_return 1; }()));
                        return 1L;
                    });
                    for (auto& h : inner) rounds += co_await h;
                    rounds += v - 1;
                    if (rng.below(2) == 0) co_await yield_now();
                }
                co_return rounds;
            }(seed + static_cast<std::uint64_t>(b))));
        while (auto v = co_await rx.recv()) o.sum += *v;
        for (auto& h : blockers) o.rounds += co_await h;
        co_return o;
    }(seed));
    require(out.sum == long{kProducers} * kPer * (kPer + 1) / 2, "every message arrived once");
    require(out.refused || out.rounds == long{kBlockers} * kRounds,
            "every block_in_place returned and its spawned task ran");
}

// The blocking pool's wait/wake protocol (blocking/pool.cpp): 6 tasks and a plain thread send
// bursts of 1-8 calls (some sleep up to 300 us) to a pool of at most 3 threads, pausing 0-3 ms
// between bursts, then the root makes 40 calls one at a time. In half the runs idle threads
// retire after 1 ms, so that notifications race threads timing out, retiring and starting; in
// the other half they wait 10 minutes, so that a lost notification cannot be covered up by a
// timeout: the call it strands is a hang.
// 1-8 calls on `on`'s pool, a quarter of them sleeping up to 300 us; each returns 1.
std::vector<BlockingHandle<long>> blocking_burst(Rng& rng, const Handle& on) {
    std::vector<BlockingHandle<long>> calls;
    const auto n = 1 + rng.below(8);
    for (std::uint64_t i = 0; i < n; ++i) {
        const auto nap = rng.below(4) == 0 ? rng.below(300) : 0;
        calls.push_back(spawn_blocking_on(on, [nap] {
            if (nap) std::this_thread::sleep_for(std::chrono::microseconds(nap));
            return 1L;
        }));
    }
    return calls;
}

void spawn_blocking_workload(Runtime& rt, std::uint64_t seed) {
    constexpr int kTasks = 6, kBursts = 30, kSequential = 40;
    std::atomic<long> outside{0};
    std::jthread plain([&] {  // from outside the runtime: spawn_blocking_on, awaited by a latch
        Rng rng(seed ^ 0xB10C);
        for (int b = 0; b < kBursts; ++b) {
            const auto n = static_cast<std::ptrdiff_t>(1 + rng.below(4));
            std::latch returned(n);
            for (std::ptrdiff_t i = 0; i < n; ++i)
                spawn_blocking_on(rt.handle(), [&] {
                    outside.fetch_add(1);
                    returned.count_down();
                }).detach();
            returned.wait();
            std::this_thread::sleep_for(std::chrono::microseconds(rng.below(3000)));
        }
    });
    const long inside = rt.block_on([](std::uint64_t seed) -> Task<long> {
        std::vector<JoinHandle<long>> tasks;
        for (int t = 0; t < kTasks; ++t)
            tasks.push_back(spawn([](std::uint64_t seed) -> Task<long> {
                Rng rng(seed);
                long done = 0, expected = 0;
                for (int b = 0; b < kBursts; ++b) {
                    auto calls = blocking_burst(rng, Handle::current());
                    expected += static_cast<long>(calls.size());
                    for (auto& h : calls) done += co_await h;
                    co_await time::sleep(std::chrono::microseconds(rng.below(3000)));
                }
                require(done == expected, "every blocking call of a burst returned once");
                co_return done;
            }(seed + static_cast<std::uint64_t>(t))));
        long sum = 0;
        for (auto& h : tasks) sum += co_await h;
        // Then one call at a time, each once the pool's threads have gone idle: nobody else's
        // work can pick up a call whose notification was lost.
        Rng rng(seed ^ 0x5E0);
        for (int i = 0; i < kSequential; ++i) {
            co_await time::sleep(std::chrono::microseconds(50 + rng.below(200)));
            sum += co_await spawn_blocking([] { return 1L; });
        }
        co_return sum;
    }(seed));
    plain.join();
    require(inside > 0 && outside.load() > 0, "both the tasks' and the thread's calls ran");
}

// spawn_blocking's pool: 3 threads at most, idle ones retiring after 1 ms or after 10 minutes.
void spawn_blocking_pool(Builder& b, std::uint64_t seed) {
    b.max_blocking_threads(3).thread_keep_alive(seed % 2 ? 1ms
                                                         : std::chrono::milliseconds(600'000));
}

struct Workload {
    const char* name;
    void (*run)(Runtime&, std::uint64_t);
    // Runtime settings the workload needs beyond the defaults (may be null).
    void (*tune)(Builder&, std::uint64_t seed) = nullptr;
};
constexpr Workload kWorkloads[] = {
    {"sleep_many", sleep_many},
    {"timers", timers},
    {"channel", channel},
    {"notify", notify},
    {"scheduler", scheduler},
    {"net_echo", net_echo},
    {"blocking_bridge", blocking_bridge},
    {"pool", pool},
    {"block_in_place", block_in_place_workload},
    {"spawn_blocking", spawn_blocking_workload, spawn_blocking_pool}};

// --- the runner ----------------------------------------------------------------------------------

struct Config {
    std::string workload = "all";
    std::string flavor = "any";
    unsigned workers = 0;  // 0: from the seed
    std::uint64_t seed = 0;
    bool seed_given = false;
    long runs = 100;
    double seconds = 0;  // 0: WEFT_STRESS_SECONDS from the environment, else 8
    double timeout = 30;
};

[[noreturn]] void usage(const char* argv0, const std::string& error) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--workload NAME|all] [--flavor "
                 "current_thread|multi_thread|any] [--workers 1-4] [--seed S] [--runs N] "
                 "[--seconds T] [--timeout T]\nworkloads:",
                 argv0, error.c_str(), argv0);
    for (const Workload& w : kWorkloads) std::fprintf(stderr, " %s", w.name);
    std::fprintf(stderr, "\n");
    std::exit(2);
}

// Fails the process when a run hangs: no task of its runtime was polled for `seconds` (a lost
// wake-up leaves every task unpolled), or the run outlived ten times that (a livelock). Progress,
// not the run's length, is the test: on a loaded machine the stress points' yields each give the
// CPU away for a scheduler time slice (milliseconds), and a workload that crosses a point on
// every round then takes seconds while never stalling (see slow runs, above).
class Watchdog {
   public:
    explicit Watchdog(std::string what, double seconds) : what_(std::move(what)) {
        thread_ = std::thread([this, seconds] { watch_loop(seconds); });
    }
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // The runtime whose polls count as progress, until forget(); set from the run's thread.
    void observe(const Runtime& rt) {
        std::lock_guard lock(mutex_);
        rt_ = &rt;
    }
    void forget() {
        std::lock_guard lock(mutex_);
        rt_ = nullptr;
    }

   private:
    using Clock = std::chrono::steady_clock;

    void watch_loop(double seconds) {
        const auto bound = std::chrono::duration<double>(seconds);
        const auto start = Clock::now();
        auto last_progress = start;
        std::uint64_t last_polls = 0;
        std::unique_lock lock(mutex_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return done_; })) {
            const auto now = Clock::now();
            if (rt_) {
                std::uint64_t polls = 0;
                for (const WorkerMetrics& wm : rt_->metrics().workers) polls += wm.polls;
                if (polls != last_polls) {
                    last_polls = polls;
                    last_progress = now;
                }
            }
            if (now - last_progress > bound) fail("polled no task for", seconds);
            if (now - start > 10 * bound) fail("did not finish within", 10 * seconds);
        }
    }
    [[noreturn]] void fail(const char* how, double seconds) {
        std::fprintf(stderr, "weft-stress: HANG: %s %s %.0f s\n", what_.c_str(), how, seconds);
        std::fflush(stderr);
        std::_Exit(1);
    }

    std::string what_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    const Runtime* rt_ = nullptr;  // under mutex_
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(argv[0], "missing value after " + arg);
        const std::string value = argv[++i];
        char* end = nullptr;
        if (arg == "--workload") {
            cfg.workload = value;
        } else if (arg == "--flavor") {
            if (value != "current_thread" && value != "multi_thread" && value != "any")
                usage(argv[0], "unknown flavor " + value);
            cfg.flavor = value;
        } else if (arg == "--workers") {
            cfg.workers = static_cast<unsigned>(std::strtoul(value.c_str(), &end, 10));
            if (*end != '\0' || cfg.workers > 4) usage(argv[0], "--workers must be 0 to 4");
        } else if (arg == "--seed") {
            cfg.seed = std::strtoull(value.c_str(), &end, 10);
            if (*end != '\0') usage(argv[0], "--seed must be a number");
            cfg.seed_given = true;
        } else if (arg == "--runs") {
            cfg.runs = std::strtol(value.c_str(), &end, 10);
            if (*end != '\0' || cfg.runs < 1) usage(argv[0], "--runs must be at least 1");
        } else if (arg == "--seconds") {
            cfg.seconds = std::strtod(value.c_str(), &end);
            if (*end != '\0' || !(cfg.seconds > 0)) usage(argv[0], "--seconds must be positive");
        } else if (arg == "--timeout") {
            cfg.timeout = std::strtod(value.c_str(), &end);
            if (*end != '\0' || !(cfg.timeout > 0)) usage(argv[0], "--timeout must be positive");
        } else {
            usage(argv[0], "unknown option " + arg);
        }
    }
    if (cfg.seconds == 0) {
        const char* env = std::getenv("WEFT_STRESS_SECONDS");
        cfg.seconds = env && std::strtod(env, nullptr) > 0 ? std::strtod(env, nullptr) : 8;
    }
    std::vector<const Workload*> selected;
    for (const Workload& w : kWorkloads)
        if (cfg.workload == "all" || cfg.workload == w.name) selected.push_back(&w);
    if (selected.empty()) usage(argv[0], "unknown workload " + cfg.workload);
    if (!cfg.seed_given)
        cfg.seed = static_cast<std::uint64_t>(
                       std::chrono::steady_clock::now().time_since_epoch().count()) %
                   1'000'000'007ull;

    std::printf("weft-stress: seed %llu, %s, stress points %s\n",
                static_cast<unsigned long long>(cfg.seed), cfg.workload.c_str(),
                detail::stress::compiled_in() ? "on" : "compiled out");
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    long run = 0;
    long slow = 0;  // runs that took a second or more
    for (; run < cfg.runs; ++run) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            cfg.seconds)
            break;
        const std::uint64_t seed = cfg.seed + static_cast<std::uint64_t>(run);
        const Workload& w = *selected[static_cast<std::size_t>(run) % selected.size()];
        Rng pick(seed);
        const bool current =
            cfg.flavor == "any" ? pick.below(2) == 0 : cfg.flavor == "current_thread";
        const unsigned workers =
            current ? 1 : (cfg.workers ? cfg.workers : 1 + static_cast<unsigned>(pick.below(4)));
        char what[256];
        std::snprintf(what, sizeof what,
                      "workload=%s flavor=%s workers=%u seed=%llu (reproduce: %s --workload %s "
                      "--flavor %s --workers %u --seed %llu --runs 1)",
                      w.name, current ? "current_thread" : "multi_thread", workers,
                      static_cast<unsigned long long>(seed), argv[0], w.name,
                      current ? "current_thread" : "multi_thread", workers,
                      static_cast<unsigned long long>(seed));
        Watchdog watchdog(what, cfg.timeout);
        std::uint64_t polls = 0, parks = 0, steals = 0;  // the workers' counters, for a slow run
        const auto run_start = std::chrono::steady_clock::now();
        detail::stress::enable(seed);
        try {
            Builder builder = current ? Builder::new_current_thread()
                                      : Builder::new_multi_thread().worker_threads(workers);
            if (w.tune) w.tune(builder, seed);
            Runtime rt = builder.build();
            watchdog.observe(rt);
            struct Forget {
                Watchdog& w;
                ~Forget() { w.forget(); }  // before the runtime is dropped
            } forget{watchdog};
            w.run(rt, seed);
            const RuntimeMetrics m = rt.metrics();
            for (const WorkerMetrics& wm : m.workers) {
                polls += wm.polls;
                parks += wm.parks;
                steals += wm.steals;
            }
        } catch (const std::exception& e) {
            detail::stress::disable();
            std::fprintf(stderr, "weft-stress: FAILED: %s: %s\n", what, e.what());
            return 1;
        }
        detail::stress::disable();
        // A run that finishes but takes seconds is a stall worth a look (a wake-up found late).
        const double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        if (took >= 1.0) {
            ++slow;
            std::printf("weft-stress: slow run (%.1f s, %llu polls, %llu parks, %llu steals): %s\n",
                        took, static_cast<unsigned long long>(polls),
                        static_cast<unsigned long long>(parks),
                        static_cast<unsigned long long>(steals), what);
            std::fflush(stdout);
        }
    }
    std::printf("weft-stress: %ld runs clean in %.1f s (%ld took a second or more)\n", run,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                slow);
    return 0;
}
