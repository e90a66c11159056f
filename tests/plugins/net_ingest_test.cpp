// tcp-ingest end to end on the real weftd binary: several clients send 100,000 newline-delimited
// lines over loopback TCP; tcp-ingest puts them into a bounded channel (small, so backpressure
// reaches the clients' sockets) and the consumer appends them to a file. After SIGTERM the file
// holds every line exactly once, each client's lines in the order it sent them. Then a burst of
// short connections (a line each), and a connection over max_connections.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "../daemon/child_process.hpp"
#include "support/loopback.hpp"

namespace {

using namespace weft::test;

const std::string kWeftd = WEFTD_PATH;
const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;

constexpr int kClients = 5;
constexpr int kLinesPerClient = 20'000;  // 100,000 in all

std::size_t count_lines(const fs::path& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
}

// Sends this client's lines with blocking writes (the kernel holds them back while tcp-ingest
// waits on its channel).
bool send_lines(int port, int client) {
    const int fd = weft::test::connect_loopback(port);
    if (fd < 0) return false;
    std::string batch;
    bool ok = true;
    for (int i = 0; i < kLinesPerClient && ok; ++i) {
        batch += "client " + std::to_string(client) + " line " + std::to_string(i) + "\n";
        if (batch.size() > 3000 || i + 1 == kLinesPerClient) {  // odd sizes: lines cross reads
            std::size_t done = 0;
            while (done < batch.size() && ok) {
                const ssize_t n =
                    ::send(fd, batch.data() + done, batch.size() - done, MSG_NOSIGNAL);
                ok = n > 0;
                if (ok) done += static_cast<std::size_t>(n);
            }
            batch.clear();
        }
    }
    ::close(fd);
    return ok;
}

// tcp-ingest on 127.0.0.1:0 into the channel "lines" of `capacity`, and a consumer appending the
// lines to `lines`; `ingest_extra` adds members to tcp-ingest's config (", \"max_connections\":
// 1").
fs::path ingest_config(TempDir& dir, const fs::path& lines, int capacity,
                       const std::string& ingest_extra = "") {
    std::ostringstream c;
    c << R"({"shutdown": {"grace_period_ms": 10000},
             "channels": {"lines": {"kind": "mpsc", "capacity": )"
      << capacity << R"(}},
             "plugins": [
               {"name": "tcp-ingest", "path": "tcp-ingest.so",
                "config": {"listen": "127.0.0.1:0", "channel": "lines", "capacity": )"
      << capacity << ingest_extra << R"(}},
               {"name": "lines", "path": "consumer.so",
                "config": {"channel": "lines", "path": ")"
      << lines.string() << R"(", "format": "lines", "truncate": true, "batch": 64}}]})";
    return dir.write("weftd.json", c.str());
}

// Waits until both plugins are up; tcp-ingest's port.
int ingest_port_of(Child& weftd) {
    REQUIRE(wait_for_text(weftd.stderr_file(), "tcp-ingest: listening on"));
    REQUIRE(wait_for_text(weftd.stderr_file(), "consumer: appending"));
    const int port = weft::test::ingest_port(read_text(weftd.stderr_file()));
    REQUIRE(port > 0);
    return port;
}

// Waits (up to a minute) until `file` holds `n` lines.
void wait_for_lines(const fs::path& file, std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (count_lines(file) < n && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// SIGTERM; the log of an exit with status 0.
std::string stop_cleanly(Child& weftd) {
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    std::string log = weftd.err();
    UNSCOPED_INFO(log);
    REQUIRE(code);
    CHECK(*code == 0);
    return log;
}

}  // namespace

TEST_CASE(
    "plugin net: 100,000 lines from several clients reach the consumer's file once each, "
    "in each client's order") {
    TempDir dir;
    const fs::path lines = dir.path() / "lines.log";
    Child weftd(
        {kWeftd, "run", "-c", ingest_config(dir, lines, 16).string(), "--plugin-dir", kPlugins});
    const int port = ingest_port_of(weftd);

    std::vector<std::thread> clients;
    std::vector<char> ok(kClients, 0);
    for (int i = 0; i < kClients; ++i)
        clients.emplace_back([&, i] { ok[static_cast<std::size_t>(i)] = send_lines(port, i); });
    for (auto& t : clients) t.join();
    for (char o : ok) CHECK(o);

    wait_for_lines(lines, std::size_t{kClients} * kLinesPerClient);
    const std::string log = stop_cleanly(weftd);

    std::map<int, int> next;  // client -> the line number expected next
    std::ifstream in(lines);
    std::string line;
    std::size_t total = 0;
    while (std::getline(in, line)) {
        int client = -1;
        int n = -1;
        if (std::sscanf(line.c_str(), "client %d line %d", &client, &n) != 2)
            FAIL("malformed line: " << line);
        if (n != next[client])
            FAIL("client " << client << ": line " << n << " after line " << next[client] - 1);
        next[client] = n + 1;
        ++total;
    }
    CHECK(total == std::size_t{kClients} * kLinesPerClient);
    for (int i = 0; i < kClients; ++i) CHECK(next[i] == kLinesPerClient);
    CHECK(log.find("tcp-ingest: stopped; 100000 lines from 5 connections") != std::string::npos);
}

TEST_CASE(
    "plugin net: a burst of short connections, each sending one line and closing at once, "
    "delivers every line") {
    // The accepted socket of such a connection usually never waits: its first read takes the
    // line and the peer's close together, and the next read reports the end without a syscall.
    TempDir dir;
    const fs::path lines = dir.path() / "lines.log";
    Child weftd({kWeftd, "run", "-c",
                 ingest_config(dir, lines, 64, R"(, "max_connections": 4096)").string(),
                 "--plugin-dir", kPlugins});
    const int port = ingest_port_of(weftd);

    constexpr int kThreads = 4;
    constexpr int kPerThread = 250;
    std::vector<std::thread> clients;
    std::atomic<int> sent{0};
    for (int t = 0; t < kThreads; ++t)
        clients.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const int fd = weft::test::connect_loopback(port);
                if (fd < 0) continue;
                const std::string line = "short " + std::to_string(t * kPerThread + i) + "\n";
                if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) ==
                    static_cast<ssize_t>(line.size()))
                    ++sent;
                ::close(fd);
            }
        });
    for (auto& t : clients) t.join();
    REQUIRE(sent.load() == kThreads * kPerThread);

    wait_for_lines(lines, std::size_t{kThreads * kPerThread});
    const std::string log = stop_cleanly(weftd);

    std::vector<char> seen(kThreads * kPerThread, 0);
    std::ifstream in(lines);
    std::string line;
    while (std::getline(in, line)) {
        int n = -1;
        if (std::sscanf(line.c_str(), "short %d", &n) != 1 || n < 0 || n >= kThreads * kPerThread)
            FAIL("malformed line: " << line);
        if (seen[static_cast<std::size_t>(n)]++) FAIL("line " << n << " arrived twice");
    }
    for (int n = 0; n < kThreads * kPerThread; ++n)
        if (!seen[static_cast<std::size_t>(n)]) FAIL("line " << n << " never arrived");
    CHECK(log.find("tcp-ingest: stopped; 1000 lines from 1000 connections (0 refused: over "
                   "max_connections)") != std::string::npos);
}

TEST_CASE("plugin net: tcp-ingest closes a connection over max_connections and counts it at stop") {
    TempDir dir;
    Child weftd(
        {kWeftd, "run", "-c",
         ingest_config(dir, dir.path() / "lines.log", 64, R"(, "max_connections": 1)").string(),
         "--plugin-dir", kPlugins});
    const int port = ingest_port_of(weftd);
    const int first = weft::test::connect_loopback(port);  // held open: the one allowed
    REQUIRE(first >= 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int second = weft::test::connect_loopback(port);
    REQUIRE(second >= 0);
    REQUIRE(wait_for_text(weftd.stderr_file(), "1 connections already; closing the one from"));
    ::close(second);
    ::close(first);
    const std::string log = stop_cleanly(weftd);
    CHECK(log.find("from 1 connections (1 refused: over max_connections)") != std::string::npos);
}
