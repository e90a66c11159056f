// tcp_echo's two sides. The clients are shared by the in-process workload (net_tcp.cpp) and its
// ABI version (abi_tcp_echo.cpp), so that the two figures differ only in the server: 50 clients
// (TCP_NODELAY) each do 2,000 round trips of a 64-byte message and count a latch down. The
// in-process echo server is shared by net_tcp.cpp and pool_contention.cpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "latch.hpp"
#include "runtime/net/net.hpp"
#include "runtime/runtime.hpp"

namespace weft::bench::tcp_echo {

inline constexpr std::uint64_t kClients = 50;
inline constexpr std::uint64_t kRounds = 2'000;
inline constexpr std::size_t kMsg = 64;

inline void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(what);
}

inline Task<void> client(net::SocketAddr addr, std::uint64_t id, std::uint64_t rounds,
                         std::shared_ptr<Latch> latch) {
    auto s = co_await net::TcpStream::connect(addr);
    check(s.has_value(), "tcp_echo: connect failed");
    (void)s->set_nodelay(true);
    unsigned char msg[kMsg] = {};
    unsigned char back[kMsg];
    for (std::uint64_t r = 0; r < rounds; ++r) {
        msg[0] = static_cast<unsigned char>(id);
        msg[1] = static_cast<unsigned char>(r);
        auto w = co_await s->write_all(msg, sizeof msg);
        check(w.has_value(), "tcp_echo: write failed");
        auto rd = co_await s->read_exact(back, sizeof back);
        check(rd.has_value(), "tcp_echo: read failed");
        check(std::equal(msg, msg + kMsg, back), "tcp_echo: wrong echo");
    }
    latch->count_down();
}

// Starts every client against `addr` and waits until each has done its round trips.
inline Task<void> run_clients(net::SocketAddr addr, std::uint64_t rounds) {
    auto latch = std::make_shared<Latch>(kClients);
    for (std::uint64_t c = 0; c < kClients; ++c) spawn(client(addr, c, rounds, latch)).detach();
    co_await latch->wait();
}

// A listener on 127.0.0.1, on a port of the system's choosing.
inline net::TcpListener listen_local() {
    auto l = net::TcpListener::bind(net::SocketAddr::localhost_v4(0));
    if (!l) throw std::runtime_error(l.error().what());
    return std::move(*l);
}

// Echoes what `s` reads until its peer's end of stream (or an error).
inline Task<void> echo_conn(net::TcpStream s) {
    std::vector<char> buf(4096);
    while (true) {
        auto n = co_await s.read(buf.data(), buf.size());
        if (!n || *n == 0) co_return;
        auto w = co_await s.write_all(buf.data(), *n);
        if (!w) co_return;
    }
}

// Accepts connections (TCP_NODELAY) and echoes each in a task of its own, until accept fails.
inline Task<void> echo_server(std::shared_ptr<net::TcpListener> l) {
    while (true) {
        auto c = co_await l->accept();
        if (!c) co_return;
        (void)c->stream.set_nodelay(true);
        spawn(echo_conn(std::move(c->stream))).detach();
    }
}

}  // namespace weft::bench::tcp_echo
