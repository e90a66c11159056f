// pool_contention (weft's own): 100 tasks share a weft::pool::TcpPool of 10 connections to a
// local echo server; each acquires a connection, does one 64-byte round trip (TCP_NODELAY) and
// gives it back, 100,000 times in all. ops = round trips. Extra fields:
//   acquire_wait_p50_us, acquire_wait_p99_us   the wait inside acquire(), measured per acquire
//   pool_acquire_release_ns                     one task, 1,000,000 acquire+release of a pool of
//                                               10 counting resources (no I/O): the pool alone
//   semaphore_acquire_release_ns                the same loop on a bare sync::Semaphore(10)
//   overhead_ratio                              the first over the second (target: under 2)
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "latch.hpp"
#include "runtime/net/net.hpp"
#include "runtime/pool/tcp_pool.hpp"
#include "runtime/sync/semaphore.hpp"
#include "tcp_echo.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTasks = 100;
constexpr std::uint64_t kTotal = 100'000;
constexpr std::size_t kConnections = 10;
constexpr std::size_t kMsg = 64;
constexpr std::uint64_t kBareLoops = 1'000'000;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(what);
}

Task<void> client(std::shared_ptr<pool::TcpPool> p, std::uint64_t rounds,
                  std::vector<std::uint32_t>* waits_ns, std::shared_ptr<Latch> latch) {
    char msg[kMsg] = {};
    char back[kMsg];
    for (std::uint64_t i = 0; i < rounds; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto conn = co_await p->acquire();
        const auto waited = std::chrono::steady_clock::now() - t0;
        check(conn.is_ok(), "acquire failed");
        waits_ns->push_back(static_cast<std::uint32_t>(
            std::min<std::int64_t>(std::chrono::nanoseconds(waited).count(), UINT32_MAX)));
        auto w = co_await (*conn)->write_all(msg, kMsg);
        check(w.is_ok(), "write failed");
        auto r = co_await (*conn)->read_exact(back, kMsg);
        check(r.is_ok(), "read failed");
    }
    latch->count_down();
}

Task<std::vector<std::uint32_t>> contention(std::uint64_t total) {
    auto listener = std::make_shared<net::TcpListener>(tcp_echo::listen_local());
    auto server = spawn(tcp_echo::echo_server(listener));
    pool::PoolConfig cfg;
    cfg.name = "bench";
    cfg.max_size = kConnections;
    auto p = pool::make_tcp_pool(cfg, {.address = listener->local_addr().to_string()});
    std::vector<std::vector<std::uint32_t>> waits(kTasks);
    auto latch = std::make_shared<Latch>(kTasks);
    for (std::uint64_t t = 0; t < kTasks; ++t) {
        waits[t].reserve(total / kTasks);
        spawn(client(p, total / kTasks, &waits[t], latch)).detach();
    }
    co_await latch->wait();
    check(p->snapshot().creates <= kConnections, "more connections than max_size");
    p->close();
    server.abort();
    std::vector<std::uint32_t> all;
    for (auto& w : waits) all.insert(all.end(), w.begin(), w.end());
    co_return all;
}

Task<void> pool_loop(std::uint64_t n) {
    pool::Manager<int> m;
    m.create = []() -> Task<sync::Result<int, std::string>> { co_return 1; };
    pool::PoolConfig cfg;
    cfg.max_size = kConnections;
    auto p = pool::Pool<int>::create(cfg, std::move(m));
    for (std::uint64_t i = 0; i < n; ++i) {
        auto r = co_await p->acquire();
        check(r.is_ok(), "acquire failed");
    }
    p->close();
}

Task<void> semaphore_loop(std::uint64_t n) {
    sync::Semaphore sem(kConnections);
    for (std::uint64_t i = 0; i < n; ++i) {
        auto permit = co_await sem.acquire();
        check(permit.is_ok(), "acquire failed");
    }
}

double percentile_us(std::vector<std::uint32_t>& v, double q) {
    if (v.empty()) return 0;
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

std::string fixed(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

Result pool_contention(Runtime& rt, const Options& opt) {
    const std::uint64_t total = std::max<std::uint64_t>(kTasks, opt.scaled(kTotal));
    std::vector<std::uint32_t> waits;
    const double s = time_seconds([&] { waits = rt.block_on(contention(total)); });
    const std::uint64_t loops = opt.scaled(kBareLoops);
    const double pool_s = time_seconds([&] { rt.block_on(pool_loop(loops)); });
    const double sem_s = time_seconds([&] { rt.block_on(semaphore_loop(loops)); });
    const double pool_ns = pool_s * 1e9 / static_cast<double>(loops);
    const double sem_ns = sem_s * 1e9 / static_cast<double>(loops);
    Result r{(total / kTasks) * kTasks, s, {}};
    r.extra.emplace_back("acquire_wait_p50_us", fixed(percentile_us(waits, 0.50)));
    r.extra.emplace_back("acquire_wait_p99_us", fixed(percentile_us(waits, 0.99)));
    r.extra.emplace_back("pool_acquire_release_ns", fixed(pool_ns));
    r.extra.emplace_back("semaphore_acquire_release_ns", fixed(sem_ns));
    r.extra.emplace_back("overhead_ratio", fixed(sem_ns > 0 ? pool_ns / sem_ns : 0));
    return r;
}

const Register reg("pool_contention", 210, pool_contention);

}  // namespace
}  // namespace weft::bench
