// Specification of weft::net's TCP: real sockets on 127.0.0.1, on both flavors.
//
// Catch2 is not thread-safe: a task that runs beside others (on multi_thread, on another worker)
// makes no assertion; it reports what it saw (its output, a count, an error text) and the test
// asserts on that once the task is joined. Only a test's root task asserts, when nothing it
// spawned is still running, or the test thread after block_on.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/net/net.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace wt = weft::time;

namespace {

net::SocketAddr any_local() { return net::SocketAddr::localhost_v4(0); }

// Echoes every byte back until the peer closes its side, then closes.
Task<void> echo_connection(net::TcpStream s) {
    std::vector<char> buf(4096);
    while (true) {
        auto n = co_await s.read(buf.data(), buf.size());
        if (!n || *n == 0) co_return;
        auto w = co_await s.write_all(buf.data(), *n);
        if (!w) co_return;
    }
}

// Accepts `connections` and echoes each; returns the failed accepts' errors (none: empty).
Task<std::vector<std::string>> echo_server(net::TcpListener& listener, int connections) {
    std::vector<std::string> errors;
    for (int i = 0; i < connections; ++i) {
        auto c = co_await listener.accept();
        if (!c) {
            errors.push_back(c.error().what());
            continue;
        }
        spawn(echo_connection(std::move(c->stream))).detach();
    }
    co_return errors;
}

// Everything the peer sends until it closes, or the read's error text.
struct ReadToEnd {
    std::string bytes;
    std::string error;
};
Task<ReadToEnd> read_to_end(net::TcpStream& s) {
    ReadToEnd out;
    char buf[512];
    while (true) {
        auto n = co_await s.read(buf, sizeof buf);
        if (!n) {
            out.error = n.error().what();
            co_return out;
        }
        if (*n == 0) co_return out;
        out.bytes.append(buf, *n);
    }
}

// A connected pair over loopback: the connecting stream, the one the listener accepted for it,
// and the listener's address (the listener itself is closed).
struct ConnectedPair {
    net::TcpStream client;
    net::TcpStream server;
    net::SocketAddr addr;
};
Task<ConnectedPair> connected_pair() {
    auto listener = net::TcpListener::bind(any_local());
    REQUIRE(listener);
    auto s = co_await net::TcpStream::connect(listener->local_addr());
    REQUIRE(s);
    auto c = co_await listener->accept();
    REQUIRE(c);
    co_return ConnectedPair{std::move(*s), std::move(c->stream), listener->local_addr()};
}

// A blocking connect from outside the runtime: 0 when it connected, else the errno.
int blocking_connect_errno(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto addr = net::SocketAddr::localhost_v4(port);
    const int rc = ::connect(fd, addr.raw(), addr.len());
    const int e = rc == 0 ? 0 : errno;
    ::close(fd);
    return e;
}

}  // namespace

TEST_CASE("tcp: bytes written by a client come back from an echo server", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto got = rt.block_on([]() -> Task<std::string> {
        auto listener = net::TcpListener::bind(any_local());
        REQUIRE(listener);
        CHECK(listener->local_addr().port() != 0);
        auto server = spawn(echo_server(*listener, 1));
        auto s = co_await net::TcpStream::connect(listener->local_addr());
        REQUIRE(s);
        CHECK(s->peer_addr() == listener->local_addr());
        REQUIRE(s->set_nodelay(true));
        CHECK(s->nodelay().value());
        const std::string msg = "hello, weft";
        {
            auto done =
                co_await s->write_all(msg.data(), msg.size());  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        std::string back(msg.size(), '\0');
        {
            auto done =
                co_await s->read_exact(back.data(), back.size());  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        auto accept_errors = co_await server;
        CHECK(accept_errors.empty());
        co_return back;
    }());
    CHECK(got == "hello, weft");
}

TEST_CASE("tcp: after shutdown of its write side a stream still reads the peer's answer",
          "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    struct Seen {
        ReadToEnd request;     // what the server read, up to the half-close
        std::string answered;  // the server's accept or write error, if any
        ReadToEnd answer;      // what the client read after its half-close
    };
    auto got = rt.block_on([]() -> Task<Seen> {
        auto listener = net::TcpListener::bind(any_local());
        REQUIRE(listener);
        auto server = spawn([](net::TcpListener& l) -> Task<std::pair<ReadToEnd, std::string>> {
            auto c = co_await l.accept();
            if (!c) co_return std::pair{ReadToEnd{}, std::string(c.error().what())};
            ReadToEnd request = co_await read_to_end(c->stream);  // ends at the half-close
            const std::string answer = "got " + std::to_string(request.bytes.size());
            auto done = co_await c->stream.write_all(answer.data(), answer.size());
            co_return std::pair{request, done ? std::string() : std::string(done.error().what())};
        }(*listener));
        auto s = co_await net::TcpStream::connect(listener->local_addr());
        REQUIRE(s);
        {
            auto done = co_await s->write_all("abc", 3);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        REQUIRE(s->shutdown());
        Seen seen;
        seen.answer = co_await read_to_end(*s);  // the server closed after answering
        std::tie(seen.request, seen.answered) = co_await server;
        co_return seen;
    }());
    CHECK(got.request.error == "");
    CHECK(got.request.bytes == "abc");
    CHECK(got.answered == "");
    CHECK(got.answer.error == "");
    CHECK(got.answer.bytes == "got 3");
}

TEST_CASE("tcp: a read from a peer that resets reports connection reset with the address",
          "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        auto reader = spawn([](net::TcpStream& st) -> Task<net::IoResult<std::size_t>> {
            char buf[16];
            co_return co_await st.read(buf, sizeof buf);
        }(s));
        co_await wt::sleep(20ms);  // the reader is waiting
        const linger hard{1, 0};   // close with RST instead of FIN
        REQUIRE(::setsockopt(c.native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0);
        c.close();
        auto r = co_await wt::timeout(10s, std::move(reader));
        REQUIRE(r);
        REQUIRE(!*r);
        CHECK(r->error().is_connection_reset());
        CHECK(std::string(r->error().what()) ==
              "read " + pair.addr.to_string() + ": connection reset by peer");
    }());
}

TEST_CASE("tcp: connecting to a port nobody listens on is refused, naming the address",
          "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto listener = net::TcpListener::bind(any_local());
        REQUIRE(listener);
        const net::SocketAddr addr = listener->local_addr();
        listener->close();  // the port is free again, and nobody listens on it
        auto s = co_await net::TcpStream::connect(addr);
        REQUIRE(!s);
        CHECK(s.error().is_connection_refused());
        CHECK(s.error().code() == ECONNREFUSED);
        CHECK(std::string(s.error().what()) ==
              "connect " + addr.to_string() + ": connection refused");
    }());
}

TEST_CASE(
    "tcp: a connect to a listener whose backlog is full times out, and completes once "
    "accept makes room",
    "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto listener = net::TcpListener::bind(any_local(), 0);  // a queue of one connection
        REQUIRE(listener);
        std::vector<net::TcpStream> queued;
        std::optional<net::IoError> timed_out;
        for (int i = 0; i < 16 && !timed_out; ++i) {  // fill the queue until a SYN is dropped
            auto s = co_await net::TcpStream::connect(listener->local_addr(), 300ms);
            if (s)
                queued.push_back(std::move(*s));
            else
                timed_out = s.error();
        }
        REQUIRE(timed_out);
        CHECK(timed_out->is_timed_out());
        CHECK(std::string(timed_out->what()) ==
              "connect " + listener->local_addr().to_string() + ": connection timed out");
        CHECK(!queued.empty());
        // Accepting under the full backlog hands out the queued connections in order.
        for (std::size_t i = 0; i < queued.size(); ++i) {
            auto c = co_await wt::timeout(10s, listener->accept());
            REQUIRE(c);
            REQUIRE(*c);
        }
        // Room again: a new connect completes (the kernel retransmits SYNs: allow it seconds).
        auto late = co_await net::TcpStream::connect(listener->local_addr(), 20s);
        CHECK(late);
    }());
}

TEST_CASE("tcp: two hundred clients at once each get their own bytes back", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    constexpr int kClients = 200;
    auto ok = rt.block_on([]() -> Task<int> {
        auto listener = net::TcpListener::bind(any_local());
        REQUIRE(listener);
        auto server = spawn(echo_server(*listener, kClients));
        std::vector<JoinHandle<bool>> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(spawn([](net::SocketAddr addr, int id) -> Task<bool> {
                auto s = co_await net::TcpStream::connect(addr);
                if (!s) co_return false;
                for (int round = 0; round < 5; ++round) {
                    const std::string msg = std::to_string(id) + "/" + std::to_string(round);
                    if (!co_await s->write_all(msg.data(), msg.size())) co_return false;
                    std::string back(msg.size(), '\0');
                    if (!co_await s->read_exact(back.data(), back.size())) co_return false;
                    if (back != msg) co_return false;
                }
                co_return true;
            }(listener->local_addr(), i)));
        }
        int ok = 0;
        for (auto& c : clients) {
            const bool fine = co_await c;
            if (fine) ++ok;
        }
        auto accept_errors = co_await server;
        co_return accept_errors.empty() ? ok : -1;
    }());
    CHECK(ok == kClients);
}

TEST_CASE("tcp: a writer to a slow reader is held back, then every byte arrives in order",
          "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        constexpr std::size_t kTotal = 32u << 20;  // far more than the socket buffers hold
        std::vector<unsigned char> data(kTotal);
        for (std::size_t i = 0; i < kTotal; ++i) data[i] = static_cast<unsigned char>(i * 7 + 3);

        // Nobody reads: writes are partial, then the writer waits (a write that does not
        // complete within 200 ms wrote nothing: write is cancel-safe).
        std::size_t written = 0;
        while (written < kTotal) {
            auto w = co_await wt::timeout(200ms, s.write(data.data() + written, kTotal - written));
            if (!w) break;
            REQUIRE(*w);
            CHECK(**w <= kTotal - written);
            written += **w;
        }
        CHECK(written > 0);
        CHECK(written < kTotal);  // held back by the reader

        // The reader runs beside this task on another worker: it makes no Catch2 assertion
        // (Catch2 is not thread-safe) and reports what it saw instead.
        struct ReadReport {
            bool read_failed = false;
            bool in_order = true;
            std::size_t got = 0;
        };
        auto reader = spawn([](net::TcpStream& st) -> Task<ReadReport> {
            std::vector<unsigned char> buf(100'000);
            ReadReport report;
            while (true) {
                co_await wt::sleep(1ms);  // slow
                auto n = co_await st.read(buf.data(), buf.size());
                if (!n) {
                    report.read_failed = true;
                    break;
                }
                if (*n == 0) break;
                for (std::size_t i = 0; i < *n; ++i)
                    report.in_order = report.in_order && buf[i] == static_cast<unsigned char>(
                                                                       (report.got + i) * 7 + 3);
                report.got += *n;
            }
            co_return report;
        }(c));
        {
            auto done = co_await s.write_all(data.data() + written,
                                             kTotal - written);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        REQUIRE(s.shutdown());
        {
            const ReadReport report = co_await reader;  // not inside the macro: GCC 12
            CHECK_FALSE(report.read_failed);
            CHECK(report.in_order);
            CHECK(report.got == kTotal);
        }
    }());
}

TEST_CASE("tcp: a read dropped by a timeout loses no bytes", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto got = rt.block_on([]() -> Task<std::string> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        char buf[16];
        auto first = co_await wt::timeout(30ms, s.read(buf, sizeof buf));
        CHECK(first.is_elapsed());  // nothing sent yet: the pending read was dropped
        {
            auto done = co_await c.write_all("xyz", 3);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        // Many more cancelled reads racing the bytes' arrival: none may take any.
        std::string out;
        while (out.size() < 3) {
            auto r = co_await wt::timeout(1ms, s.read(buf, sizeof buf));
            if (r.is_elapsed()) continue;
            REQUIRE(*r);
            out.append(buf, **r);
        }
        co_return out;
    }());
    CHECK(got == "xyz");
}

TEST_CASE("tcp: a read that comes back short still sees the end of stream the peer sent after",
          "[net][tcp]") {
    // A short read clears READABLE without a syscall (io_driver.hpp, rule 3b) but must keep
    // READ_CLOSED: the peer's close was reported once, edge-triggered, and never comes again.
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    struct Seen {
        std::size_t first = 0;
        bool end_seen = false;
    };
    auto seen = rt.block_on([]() -> Task<Seen> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        {
            auto done = co_await c.write_all("abc", 3);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        c.close();
        co_await wt::sleep(50ms);  // the bytes and the close are both dispatched by now
        Seen out;
        char buf[16];
        auto n = co_await s.read(buf, sizeof buf);  // short: 3 of 16
        REQUIRE(n);
        out.first = *n;
        auto end = co_await wt::timeout(10s, s.read(buf, sizeof buf));
        out.end_seen = !end.is_elapsed() && *end && **end == 0;
        co_return out;
    }());
    CHECK(seen.first == 3);
    CHECK(seen.end_seen);
}

TEST_CASE("tcp: once the end was read, every later read reports it again without waiting",
          "[net][tcp]") {
    // A short read that had the peer's close in view proves the end (io_driver.hpp, rule 3c):
    // the reads after it answer 0 from that, as the kernel would.
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto reads = rt.block_on([]() -> Task<std::vector<std::size_t>> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        {
            auto done = co_await c.write_all("abc", 3);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        c.close();
        co_await wt::sleep(50ms);
        std::vector<std::size_t> out;
        char buf[16];
        for (int i = 0; i < 4; ++i) {
            auto n = co_await wt::timeout(10s, s.read(buf, sizeof buf));
            if (n.is_elapsed() || !*n) break;
            out.push_back(**n);
        }
        co_return out;
    }());
    CHECK(reads == std::vector<std::size_t>{3, 0, 0, 0});
}

TEST_CASE("tcp: an accepted stream that first waits after a short read is woken by the next bytes",
          "[net][tcp]") {
    // An accepted socket enters epoll only when it first has to wait (io_driver.hpp, rule 7).
    // Here that wait follows a short read, which cleared READABLE without a syscall saying
    // EAGAIN: the wait itself must enter the socket, or the next bytes never wake it.
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto got = rt.block_on([]() -> Task<std::string> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        {
            auto done = co_await s.write_all("ab", 2);  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        co_await wt::sleep(20ms);
        char buf[16];
        auto first = co_await c.read(buf, sizeof buf);  // short: 2 of 16
        REQUIRE(first);
        std::string out(buf, *first);
        auto writer = spawn([](net::TcpStream& s) -> Task<bool> {
            co_await wt::sleep(20ms);  // the reader is waiting by now
            co_return static_cast<bool>(co_await s.write_all("cd", 2));
        }(s));
        auto second = co_await wt::timeout(10s, c.read(buf, sizeof buf));
        if (!second.is_elapsed() && *second) out.append(buf, **second);
        CHECK(co_await writer);
        co_return out;
    }());
    CHECK(got == "abcd");
}

TEST_CASE("tcp: an accept dropped by a timeout takes no connection", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto listener = net::TcpListener::bind(any_local());
        REQUIRE(listener);
        auto none = co_await wt::timeout(30ms, listener->accept());
        CHECK(none.is_elapsed());
        auto s = co_await net::TcpStream::connect(listener->local_addr());
        REQUIRE(s);
        auto local = s->local_addr();
        REQUIRE(local);
        auto c = co_await wt::timeout(10s, listener->accept());
        REQUIRE(c);
        REQUIRE(*c);
        CHECK((*c)->peer == *local);
        CHECK((*c)->stream.peer_addr() == *local);
    }());
}

TEST_CASE("tcp: a task reading an always-ready socket still lets other tasks run",
          "[net][tcp][coop]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    auto other_ran_first = rt.block_on([]() -> Task<bool> {
        auto pair = co_await connected_pair();
        auto& s = pair.client;
        auto& c = pair.server;
        const std::string data(4096, 'a');
        {
            auto done = co_await c.write_all(data.data(),
                                             data.size());  // not inside the macro: GCC 12
            REQUIRE(done);
        }
        co_await wt::sleep(10ms);  // every byte is in the reader's socket buffer
        auto flag = std::make_shared<std::atomic<bool>>(false);
        auto other = spawn([](std::shared_ptr<std::atomic<bool>> f) -> Task<void> {
            f->store(true);
            co_return;
        }(flag));
        bool seen_before_end = false;
        for (std::size_t i = 0; i < data.size(); ++i) {  // one byte at a time: always ready
            char b;
            auto n = co_await s.read(&b, 1);
            REQUIRE(n);
            REQUIRE(*n == 1);
            if (flag->load()) seen_before_end = true;
        }
        co_await other;
        co_return seen_before_end;
    }());
    CHECK(other_ran_first);
}

TEST_CASE("tcp: dropping the runtime closes the sockets it still owns", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    std::optional<net::TcpListener> kept;
    std::uint16_t port = 0;
    {
        auto rt = weft::test::make_runtime(flavor);
        kept = rt.block_on([]() -> Task<net::TcpListener> {
            auto l = net::TcpListener::bind(any_local());
            REQUIRE(l);
            co_return std::move(*l);
        }());
        port = kept->local_addr().port();
        CHECK(blocking_connect_errno(port) == 0);  // listening while the runtime lives
    }
    // The listener object outlives its runtime, but its socket is closed.
    CHECK(kept->valid());
    CHECK(blocking_connect_errno(port) == ECONNREFUSED);
    kept.reset();
}

TEST_CASE("tcp: a task cancelled at runtime shutdown closes its connection", "[net][tcp]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    const int peer = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    {
        auto rt = weft::test::make_runtime(flavor);
        auto listener = rt.block_on([]() -> Task<net::TcpListener> {
            auto l = net::TcpListener::bind(any_local());
            REQUIRE(l);
            co_return std::move(*l);
        }());
        const auto addr = listener.local_addr();
        REQUIRE(::connect(peer, addr.raw(), addr.len()) == 0);
        rt.block_on([](net::TcpListener& l) -> Task<void> {
            auto c = co_await l.accept();
            REQUIRE(c);
            spawn([](net::TcpStream st) -> Task<void> {  // waits forever in read
                char buf[8];
                auto n = co_await st.read(buf, sizeof buf);
                (void)n;
            }(std::move(c->stream)))
                .detach();
        }(listener));
    }
    char b;
    CHECK(::recv(peer, &b, 1, 0) == 0);  // end of stream: the runtime closed its side
    ::close(peer);
}

TEST_CASE("tcp: bind reports a port in use with the address", "[net][tcp]") {
    auto rt = weft::test::make_runtime(Flavor::current_thread);
    rt.block_on([]() -> Task<void> {
        auto a = net::TcpListener::bind(any_local());
        REQUIRE(a);
        auto b = net::TcpListener::bind(a->local_addr());
        REQUIRE(!b);
        CHECK(b.error().code() == EADDRINUSE);
        CHECK(std::string(b.error().what()) ==
              "bind " + a->local_addr().to_string() + ": address already in use");
        co_return;
    }());
}

TEST_CASE("net: socket addresses parse and print", "[net]") {
    auto v4 = net::SocketAddr::parse("127.0.0.1:6379");
    REQUIRE(v4);
    CHECK(v4->is_ipv4());
    CHECK(v4->port() == 6379);
    CHECK(v4->to_string() == "127.0.0.1:6379");
    auto v6 = net::SocketAddr::parse("[::1]:80");
    REQUIRE(v6);
    CHECK(v6->is_ipv6());
    CHECK(v6->to_string() == "[::1]:80");
    CHECK(!net::SocketAddr::parse("127.0.0.1"));
    CHECK(!net::SocketAddr::parse("127.0.0.1:65536"));
    CHECK(!net::SocketAddr::parse("localhost:80"));
    CHECK(!net::SocketAddr::parse("[::1]80"));
}

TEST_CASE("net: lookup_host resolves localhost and rejects text without a port", "[net]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto addrs = co_await net::lookup_host("localhost:8080");
        REQUIRE(addrs);
        REQUIRE(!addrs->empty());
        for (const auto& a : *addrs) CHECK(a.port() == 8080);
        auto numeric = co_await net::lookup_host("127.0.0.1:1");
        REQUIRE(numeric);
        CHECK(numeric->size() == 1);
        auto bad = co_await net::lookup_host("no-port-here");
        REQUIRE(!bad);
        CHECK(std::string(bad.error().what()) == "lookup no-port-here: expected host:port");
    }());
}
