// Specification of weft::net's UDP sockets and Unix-domain streams: real sockets, both flavors.
// A task that runs beside others makes no Catch2 assertion (Catch2 is not thread-safe): it
// reports what it saw, and the root asserts once it has joined it (net_tcp_test.cpp).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "runtime/net/net.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;

namespace {

// A fresh directory for socket files, removed with its contents.
struct SocketDir {
    std::filesystem::path path;
    SocketDir() {
        char tmpl[] = "/tmp/weft-net-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~SocketDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("udp: datagrams keep their boundaries and name their sender", "[net][udp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto a = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto b = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        REQUIRE(a);
        REQUIRE(b);
        CHECK(a->local_addr().port() != 0);
        // Runs beside the root: it reports a failed receive as its text instead of asserting.
        auto receiver = spawn([](net::UdpSocket& s) -> Task<std::vector<std::string>> {
            std::vector<std::string> got;
            char buf[64];
            for (int i = 0; i < 3; ++i) {
                auto r = co_await s.recv_from(buf, sizeof buf);
                if (!r) {
                    got.emplace_back(r.error().what());
                    co_return got;
                }
                got.emplace_back(buf, r->first);
                got.back() += "@" + r->second.to_string();
            }
            co_return got;
        }(*b));
        for (const char* m : {"one", "two", "three"}) {
            auto n = co_await a->send_to(m, std::strlen(m), b->local_addr());
            REQUIRE(n);
            CHECK(*n == std::strlen(m));
        }
        auto got = co_await wt::timeout(10s, std::move(receiver));
        REQUIRE(got);
        const std::string from = "@" + a->local_addr().to_string();
        CHECK(*got == std::vector<std::string>{"one" + from, "two" + from, "three" + from});
    }());
}

TEST_CASE("udp: a connected socket sends to and receives from its peer only", "[net][udp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto a = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto b = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto stranger = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        REQUIRE(a);
        REQUIRE(b);
        REQUIRE(stranger);
        REQUIRE(a->connect(b->local_addr()));
        REQUIRE(b->connect(a->local_addr()));
        {
            auto filtered = co_await stranger->send_to("x", 1, b->local_addr());
            REQUIRE(filtered);                        // sent, but b only hears from a
            auto done = co_await a->send("ping", 4);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        char buf[16];
        auto r = co_await wt::timeout(10s, b->recv(buf, sizeof buf));
        REQUIRE(r);
        REQUIRE(*r);
        CHECK(std::string(buf, (*r)->first) == "ping");
        CHECK((*r)->second == a->local_addr());
    }());
}

TEST_CASE("udp: a datagram longer than the buffer is truncated and its length reported",
          "[net][udp]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto a = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto b = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        REQUIRE(a);
        REQUIRE(b);
        {
            auto done = co_await a->send_to("0123456789", 10,
                                            b->local_addr());  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        char buf[4];
        auto r = co_await b->recv_from(buf, sizeof buf);
        REQUIRE(r);
        CHECK(r->first == 10);
        CHECK(std::string(buf, 4) == "0123");
    }());
}

TEST_CASE("udp: a receive dropped by a timeout takes no datagram", "[net][udp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto a = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto b = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        REQUIRE(a);
        REQUIRE(b);
        char buf[16];
        auto none = co_await wt::timeout(20ms, b->recv_from(buf, sizeof buf));
        CHECK(none.is_elapsed());
        {
            auto done =
                co_await a->send_to("kept", 4, b->local_addr());  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        auto r = co_await wt::timeout(10s, b->recv_from(buf, sizeof buf));
        REQUIRE(r);
        REQUIRE(*r);
        CHECK(std::string(buf, (*r)->first) == "kept");
    }());
}

TEST_CASE("unix: a stream through a Unix socket echoes and reports the end", "[net][unix]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    SocketDir dir;
    const std::string path = (dir.path / "echo.sock").string();
    auto got = rt.block_on([](std::string p) -> Task<std::string> {
        auto listener = net::UnixListener::bind(p);
        REQUIRE(listener);
        // Runs beside the root: it reports its first failure's text (empty: none) instead of
        // asserting.
        auto server = spawn([](net::UnixListener& l) -> Task<std::string> {
            auto c = co_await l.accept();
            if (!c) co_return c.error().what();
            char buf[64];
            while (true) {
                auto n = co_await c->stream.read(buf, sizeof buf);
                if (!n) co_return n.error().what();
                if (*n == 0) co_return "";
                auto done = co_await c->stream.write_all(buf, *n);
                if (!done) co_return done.error().what();
            }
        }(*listener));
        auto s = co_await net::UnixStream::connect(p);
        REQUIRE(s);
        {
            auto done = co_await s->write_all("over unix", 9);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        REQUIRE(s->shutdown());
        std::string back;
        char buf[64];
        while (true) {
            auto n = co_await s->read(buf, sizeof buf);
            REQUIRE(n);
            if (*n == 0) break;
            back.append(buf, *n);
        }
        const std::string server_failure = co_await server;
        CHECK(server_failure == "");
        co_return back;
    }(path));
    CHECK(got == "over unix");
}

TEST_CASE("unix: binding a path that exists and connecting to none fail with the path",
          "[net][unix]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    SocketDir dir;
    const std::string path = (dir.path / "taken.sock").string();
    rt.block_on([](std::string p, std::string missing) -> Task<void> {
        auto first = net::UnixListener::bind(p);
        REQUIRE(first);
        auto second = net::UnixListener::bind(p);
        REQUIRE(!second);
        CHECK(std::string(second.error().what()) == "bind " + p + ": address already in use");
        auto none = co_await net::UnixStream::connect(missing);
        REQUIRE(!none);
        CHECK(std::string(none.error().what()) ==
              "connect " + missing + ": no such file or directory");
    }(path, (dir.path / "missing.sock").string()));
}

TEST_CASE("unix: an accept dropped by a timeout takes no connection", "[net][unix]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    SocketDir dir;
    rt.block_on([](std::string p) -> Task<void> {
        auto l = net::UnixListener::bind(p);
        REQUIRE(l);
        auto none = co_await wt::timeout(20ms, l->accept());
        CHECK(none.is_elapsed());
        auto s = co_await net::UnixStream::connect(p);
        REQUIRE(s);
        auto c = co_await wt::timeout(10s, l->accept());
        REQUIRE(c);
        REQUIRE(*c);
        {
            auto done = co_await s->write_all("!", 1);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        char b = 0;
        {
            auto done = co_await (*c)->stream.read_exact(&b, 1);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        CHECK(b == '!');
    }((dir.path / "a.sock").string()));
}

TEST_CASE("udp: a refused datagram is reported once, then the socket waits again", "[net][udp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto a = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        auto gone = net::UdpSocket::bind(net::SocketAddr::localhost_v4(0));
        REQUIRE(a);
        REQUIRE(gone);
        const net::SocketAddr dead = gone->local_addr();
        gone->close();
        REQUIRE(a->connect(dead));
        {
            auto sent = co_await a->send("x", 1);
            REQUIRE(sent);
        }
        char buf[8];
        auto refused = co_await wt::timeout(10s, a->recv(buf, sizeof buf));
        REQUIRE(refused);
        REQUIRE(!*refused);  // the ICMP port unreachable, as an error of the next receive
        CHECK(refused->error().is_connection_refused());
        // The error was consumed: the next receive waits (it neither fails again nor spins).
        auto next = co_await wt::timeout(50ms, a->recv(buf, sizeof buf));
        CHECK(next.is_elapsed());
    }());
}
