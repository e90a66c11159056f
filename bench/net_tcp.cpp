// TCP over loopback, as the Tokio anchor's workloads of the same names:
//   tcp_echo          a server task spawns one echo task per connection (read up to 4 KiB,
//                     write back what was read, until EOF); 50 clients (TCP_NODELAY on both
//                     ends) each do 2,000 round trips of a 64-byte message (tcp_echo.hpp,
//                     shared with weft-bench-abi's abi_tcp_echo). ops = round trips.
//   tcp_stream        one connection: the accepting task writes 8,192 chunks of 64 KiB and shuts
//                     down its write side; the root reads into 64 KiB until EOF. ops = chunks.
//   tcp_connect_many  the server writes one byte per connection and closes; 50 clients share
//                     5,000 connections: connect, read the byte, read EOF. ops = connections.
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "harness.hpp"
#include "latch.hpp"
#include "runtime/net/net.hpp"
#include "tcp_echo.hpp"

namespace weft::bench {
namespace {

using tcp_echo::echo_server;
using tcp_echo::listen_local;

constexpr std::uint64_t kStreamChunks = 8'192;
constexpr std::size_t kStreamChunk = 64 * 1024;
constexpr std::uint64_t kConnectTotal = 5'000;
constexpr std::uint64_t kConnectClients = 50;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(what);
}

// ---- tcp_echo ----------------------------------------------------------------------------------

Task<void> echo_root(std::uint64_t rounds) {
    auto l = std::make_shared<net::TcpListener>(listen_local());
    spawn(echo_server(l)).detach();
    co_await tcp_echo::run_clients(l->local_addr(), rounds);
}

Result tcp_echo(Runtime& rt, const Options& opt) {
    const std::uint64_t rounds = opt.scaled(tcp_echo::kRounds);
    double s = time_seconds([&] { rt.block_on(echo_root(rounds)); });
    return {tcp_echo::kClients * rounds, s, {}};
}

// ---- tcp_stream --------------------------------------------------------------------------------

// The reader's buffer: zeroed pages that nothing has touched yet, as the anchor's `vec![0u8; N]`
// is (calloc from a heap that grows). Why it matters: the first read then takes the buffer's page
// faults inside the kernel's copy, and that time decides how many bytes TCP's receive-buffer
// autotuning counts in its first sample, which sets the buffer for the whole transfer: a buffer
// zeroed here beforehand made the first sample about 225 KB against the anchor's 290 KB, and the
// transfer took its slow mode (1.25-1.97 MB of receive buffer instead of 3.7 MB) in 9 runs of 10.
class FreshBuffer {
   public:
    explicit FreshBuffer(std::size_t size)
        : size_(size),
          data_(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
        check(data_ != MAP_FAILED, "tcp_stream: mmap failed");
    }
    ~FreshBuffer() { ::munmap(data_, size_); }
    FreshBuffer(const FreshBuffer&) = delete;
    FreshBuffer& operator=(const FreshBuffer&) = delete;

    [[nodiscard]] unsigned char* data() const noexcept {
        return static_cast<unsigned char*>(data_);
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

   private:
    std::size_t size_;
    void* data_;
};

Task<void> stream_sender(std::shared_ptr<net::TcpListener> l, std::uint64_t chunks) {
    auto c = co_await l->accept();
    check(c.has_value(), "tcp_stream: accept failed");
    std::vector<unsigned char> buf(kStreamChunk, 0x5A);
    for (std::uint64_t i = 0; i < chunks; ++i) {
        auto w = co_await c->stream.write_all(buf.data(), buf.size());
        check(w.has_value(), "tcp_stream: write failed");
    }
    check(c->stream.shutdown().has_value(), "tcp_stream: shutdown failed");
}

Task<void> stream_root(std::uint64_t chunks) {
    auto l = std::make_shared<net::TcpListener>(listen_local());
    auto sender = spawn(stream_sender(l, chunks));
    auto s = co_await net::TcpStream::connect(l->local_addr());
    check(s.has_value(), "tcp_stream: connect failed");
    FreshBuffer buf(kStreamChunk);
    std::uint64_t total = 0;
    while (true) {
        auto n = co_await s->read(buf.data(), buf.size());
        check(n.has_value(), "tcp_stream: read failed");
        if (*n == 0) break;
        total += *n;
    }
    check(total == chunks * kStreamChunk, "tcp_stream: wrong byte count");
    co_await sender;
}

Result tcp_stream(Runtime& rt, const Options& opt) {
    const std::uint64_t chunks = opt.scaled(kStreamChunks);
    double s = time_seconds([&] { rt.block_on(stream_root(chunks)); });
    const double mib = static_cast<double>(chunks * kStreamChunk) / (1024.0 * 1024.0);
    char extra[32];
    std::snprintf(extra, sizeof extra, "%.1f", mib / s);
    return {chunks, s, {{"mib_per_sec", extra}}};
}

// ---- tcp_connect_many --------------------------------------------------------------------------

Task<void> one_byte(net::TcpStream s) {
    auto w = co_await s.write_all("x", 1);
    (void)w;
}

Task<void> connect_server(std::shared_ptr<net::TcpListener> l) {
    while (true) {
        auto c = co_await l->accept();
        if (!c) continue;  // e.g. too many open files for a moment: the connection stays queued
        spawn(one_byte(std::move(c->stream))).detach();
    }
}

Task<void> connect_client(net::SocketAddr addr, std::uint64_t n, std::shared_ptr<Latch> latch) {
    for (std::uint64_t i = 0; i < n; ++i) {
        auto s = co_await net::TcpStream::connect(addr);
        check(s.has_value(), "tcp_connect_many: connect failed");
        char buf[2];
        auto a = co_await s->read(buf, sizeof buf);
        check(a.has_value() && *a == 1, "tcp_connect_many: expected one byte");
        auto b = co_await s->read(buf, sizeof buf);
        check(b.has_value() && *b == 0, "tcp_connect_many: expected the end");
    }
    latch->count_down();
}

Task<void> connect_root(std::uint64_t per_client) {
    auto l = std::make_shared<net::TcpListener>(listen_local());
    const net::SocketAddr addr = l->local_addr();
    spawn(connect_server(l)).detach();
    auto latch = std::make_shared<Latch>(kConnectClients);
    for (std::uint64_t c = 0; c < kConnectClients; ++c)
        spawn(connect_client(addr, per_client, latch)).detach();
    co_await latch->wait();
}

Result tcp_connect_many(Runtime& rt, const Options& opt) {
    const std::uint64_t per_client =
        std::max<std::uint64_t>(1, opt.scaled(kConnectTotal) / kConnectClients);
    double s = time_seconds([&] { rt.block_on(connect_root(per_client)); });
    return {kConnectClients * per_client, s, {}};
}

const Register echo("tcp_echo", 140, tcp_echo);
const Register stream("tcp_stream", 150, tcp_stream);
const Register connect_many("tcp_connect_many", 160, tcp_connect_many);

}  // namespace
}  // namespace weft::bench
