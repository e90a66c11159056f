// Specification of weft::pool's TCP connection pool against real servers on 127.0.0.1: an echo
// server, a port that refuses, a server that resets its connections and one that stalls.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "runtime/net/net.hpp"
#include "runtime/pool/tcp_pool.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
using weft::test::eventually;

namespace {

Task<void> echo_connection(net::TcpStream s) {
    std::vector<char> buf(4096);
    while (true) {
        auto n = co_await s.read(buf.data(), buf.size());
        if (!n || *n == 0) co_return;
        auto w = co_await s.write_all(buf.data(), *n);
        if (!w) co_return;
    }
}

// Accepts forever; counts connections; each one is served by `serve`.
template <class Serve>
Task<void> server(std::shared_ptr<net::TcpListener> l, std::shared_ptr<std::atomic<int>> accepted,
                  Serve serve) {
    while (true) {
        auto c = co_await l->accept();
        if (!c) co_return;
        accepted->fetch_add(1);
        spawn(serve(std::move(c->stream))).detach();
    }
}

struct Server {
    std::shared_ptr<net::TcpListener> listener;
    std::shared_ptr<std::atomic<int>> accepted = std::make_shared<std::atomic<int>>(0);
    JoinHandle<void> task;
    std::string address() const { return listener->local_addr().to_string(); }
};

template <class Serve>
Server start_server(Serve serve) {
    Server s;
    auto l = net::TcpListener::bind(net::SocketAddr::localhost_v4(0));
    REQUIRE(l);
    s.listener = std::make_shared<net::TcpListener>(std::move(*l));
    s.task = spawn(server(s.listener, s.accepted, serve));
    return s;
}

// A port nobody listens on: bound, then closed.
std::string refusing_address() {
    auto l = net::TcpListener::bind(net::SocketAddr::localhost_v4(0));
    REQUIRE(l);
    const std::string a = l->local_addr().to_string();
    return a;  // the listener closes here
}

pool::PoolConfig tcp_config(std::size_t max_size) {
    pool::PoolConfig c;
    c.name = "echo";
    c.max_size = max_size;
    c.acquire_timeout = 10s;
    c.backoff_min = 5ms;
    c.backoff_max = 20ms;
    return c;
}

Task<std::string> round_trip(net::TcpStream& s, const std::string& msg) {
    auto w = co_await s.write_all(msg.data(), msg.size());
    if (!w) co_return "write failed";
    std::string back(msg.size(), '\0');
    auto r = co_await s.read_exact(back.data(), back.size());
    if (!r) co_return "read failed";
    co_return back;
}

}  // namespace

TEST_CASE("tcp pool: round trips reuse connections and at most max_size of them", "[pool][net]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto srv = start_server(echo_connection);
        auto p = pool::make_tcp_pool(tcp_config(3), {.address = srv.address()});
        std::vector<JoinHandle<int>> tasks;
        for (int t = 0; t < 10; ++t) {
            tasks.push_back(spawn([](std::shared_ptr<pool::TcpPool> p, int t) -> Task<int> {
                int ok = 0;
                for (int i = 0; i < 20; ++i) {
                    auto conn = co_await p->acquire();
                    if (!conn) co_return ok;  // counted short below: no Catch2 macro off its thread
                    const std::string msg = "task " + std::to_string(t) + " #" + std::to_string(i);
                    if (co_await round_trip(conn->get(), msg) == msg) ++ok;
                }
                co_return ok;
            }(p, t)));
        }
        int ok = 0;
        for (auto& t : tasks) ok += co_await t;
        CHECK(ok == 200);
        CHECK(srv.accepted->load() <= 3);
        const auto s = p->snapshot();
        CHECK(s.creates == static_cast<std::uint64_t>(srv.accepted->load()));
        CHECK(s.acquisitions == 200);
        p->close();
        srv.task.abort();
    }());
}

TEST_CASE(
    "tcp pool: an address that refuses fails the acquire with why and does not block another pool",
    "[pool][net]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> warnings{0};
        auto cfg = tcp_config(2);
        cfg.name = "down";
        cfg.acquire_timeout = 200ms;
        auto down = pool::make_tcp_pool(cfg, {.address = refusing_address(),
                                              .log = [&warnings](bool warning, const std::string&) {
                                                  if (warning) warnings.fetch_add(1);
                                              }});
        auto srv = start_server(echo_connection);
        auto up = pool::make_tcp_pool(tcp_config(2), {.address = srv.address()});

        auto failing = spawn([](std::shared_ptr<pool::TcpPool> down) -> Task<std::string> {
            auto c = co_await down->acquire();
            co_return c ? std::string("connected?") : std::string(c.error().what());
        }(down));
        // Meanwhile the healthy pool serves at once.
        for (int i = 0; i < 20; ++i) {
            auto conn = co_await up->acquire();
            REQUIRE(conn);
            {
                const auto got =
                    co_await round_trip(conn->get(), "ping");  // not inside the macro: GCC 12
                CHECK(got == "ping");
            }
        }
        const std::string why = co_await failing;
        CHECK_THAT(why, Catch::Contains("pool 'down'") && Catch::Contains("refused"));
        const auto s = down->snapshot();
        CHECK(s.create_failures >= 2);  // retried with backoff
        CHECK(s.timeouts == 1);
        CHECK(warnings.load() == 1);  // logged once for the burst
        down->close();
        up->close();
        srv.task.abort();
    }());
}

TEST_CASE("tcp pool: a connection the server reset is never handed out again", "[pool][net]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        // Answers one round trip, then resets the connection (SO_LINGER 0).
        auto srv = start_server([](net::TcpStream s) -> Task<void> {
            char buf[64];
            auto n = co_await s.read(buf, sizeof buf);
            if (n && *n > 0) (void)co_await s.write_all(buf, *n);
            const linger hard{1, 0};
            ::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            s.close();
        });
        auto p = pool::make_tcp_pool(tcp_config(1), {.address = srv.address()});
        {
            auto conn = co_await p->acquire();
            REQUIRE(conn);
            {
                const auto got =
                    co_await round_trip(conn->get(), "one");  // not inside the macro: GCC 12
                CHECK(got == "one");
            }
        }
        co_await time::sleep(20ms);  // the reset arrives
        auto conn = co_await p->acquire();
        REQUIRE(conn);
        {
            const auto got =
                co_await round_trip(conn->get(), "two");  // not inside the macro: GCC 12
            CHECK(got == "two");
        }  // a fresh connection
        {
            const bool ok = co_await eventually([&] { return srv.accepted->load() == 2; });
            CHECK(ok);
        }
        CHECK(p->snapshot().closes[static_cast<std::size_t>(pool::CloseReason::broken)] == 1);
        conn->release();
        p->close();
        srv.task.abort();
    }());
}

TEST_CASE(
    "tcp pool: a stalled connection marked broken is replaced and a stalled connect ends at the "
    "acquire timeout",
    "[pool][net]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    rt.block_on([]() -> Task<void> {
        // Reads and never answers.
        auto srv = start_server([](net::TcpStream s) -> Task<void> {
            char buf[64];
            while (true) {
                auto n = co_await s.read(buf, sizeof buf);
                if (!n || *n == 0) co_return;
            }
        });
        auto p = pool::make_tcp_pool(tcp_config(1), {.address = srv.address()});
        {
            auto conn = co_await p->acquire();
            REQUIRE(conn);
            const std::string msg = "hello?";
            (void)co_await conn->get().write_all(msg.data(), msg.size());
            char byte;
            auto r = co_await time::timeout(50ms, conn->get().read(&byte, 1));
            CHECK(r.is_elapsed());
            conn->mark_broken();  // a reply may still come: nobody else may read it
        }
        auto conn = co_await p->acquire();
        REQUIRE(conn);
        {
            const bool ok = co_await eventually([&] { return srv.accepted->load() == 2; });
            CHECK(ok);
        }
        conn->release();
        p->close();
        srv.task.abort();

        // A listener whose backlog is full and that never accepts: the connect stalls, and the
        // acquire ends at its timeout with the connect's own error.
        auto raw = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto any = net::SocketAddr::localhost_v4(0);
        REQUIRE(::bind(raw, any.raw(), any.len()) == 0);
        REQUIRE(::listen(raw, 0) == 0);
        sockaddr_in bound{};
        socklen_t len = sizeof bound;
        ::getsockname(raw, reinterpret_cast<sockaddr*>(&bound), &len);
        const std::string stalled = "127.0.0.1:" + std::to_string(ntohs(bound.sin_port));
        auto cfg = tcp_config(4);
        cfg.name = "stalled";
        cfg.acquire_timeout = 300ms;
        auto q = pool::make_tcp_pool(cfg, {.address = stalled, .connect_timeout = 50ms});
        std::vector<pool::Pooled<net::TcpStream>> filled;
        bool failed = false;
        for (int i = 0; i < 8 && !failed; ++i) {
            auto c = co_await q->acquire();
            if (c) {
                filled.push_back(std::move(*c));
            } else {
                failed = true;
                CHECK(c.error().is_create());
            }
        }
        CHECK(failed);
        filled.clear();
        q->close();
        ::close(raw);
    }());
}
