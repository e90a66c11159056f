// The pools section of the ABI (1.3) through the real host and the C++ SDK: a plugin acquires
// connections of a tcp pool declared in the config to a real echo server on loopback (started
// here, outside the runtime), and slots of a resource pool; the host's report counts them.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support.hpp"
#include "support/loopback.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

// A blocking echo server on 127.0.0.1, one thread per connection; counts connections.
class EchoServer {
   public:
    EchoServer() {
        accept_ = std::thread([this] {
            while (true) {
                const int c = ::accept(listener_.fd(), nullptr, nullptr);
                if (c < 0) return;
                accepted_.fetch_add(1);
                conns_.emplace_back([c] {
                    char buf[512];
                    ssize_t n;
                    while ((n = ::read(c, buf, sizeof buf)) > 0) (void)!::write(c, buf, n);
                    ::close(c);
                });
            }
        });
    }
    ~EchoServer() {
        ::shutdown(listener_.fd(), SHUT_RDWR);  // ends the accept loop
        accept_.join();
        for (auto& t : conns_) t.join();
    }
    [[nodiscard]] std::string address() const {
        return "127.0.0.1:" + std::to_string(listener_.port());
    }
    [[nodiscard]] int accepted() const { return accepted_.load(); }

   private:
    weft::test::LoopbackListener listener_;
    std::atomic<int> accepted_{0};
    std::thread accept_;
    std::vector<std::thread> conns_;
};

}  // namespace

TEST_CASE(
    "plugin pools: a plugin acquires and reuses and discards pooled connections through the "
    "ABI") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    EchoServer server;
    const auto config = config_from(R"({"pools": {
        "echo": {"kind": "tcp", "address": ")" +
                                    server.address() +
                                    R"(", "max_size": 2, "acquire_timeout_ms": 100},
        "counters": {"kind": "resource", "max_size": 1},
        "warm": {"kind": "resource", "max_size": 2, "min_idle": 2}},
        "plugins": [{"name": "pp", "path": "pool_probe.so"}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        CHECK(log.wait_for("pool: done"));
        const auto report = hosted.host.registry().pools().report();
        REQUIRE(report.size() == 3);
        const auto& counters = report[0];
        const auto& echo = report[1];
        CHECK(echo.name == "echo");
        CHECK(echo.stats.creates == 2);  // three round trips on one connection, then a second
        CHECK(echo.stats.timeouts == 1);
        CHECK(echo.stats.closes[static_cast<std::size_t>(pool::CloseReason::broken)] == 1);
        CHECK(echo.stats.in_use == 0);
        CHECK(counters.name == "counters");
        CHECK(counters.stats.creates == 1);
        CHECK(counters.stats.acquisitions == 2);
        hosted.host.shutdown();
        CHECK(hosted.host.registry().pools().report()[1].stats.size == 0);  // closed at shutdown
    }
    CHECK(server.accepted() == 2);
    INFO(log.text());
    CHECK(
        log.contains("pool: missing gives not found: opening pool 'nope': no pool 'nope' in the "
                     "config's pools section (declared: counters, echo, warm)"));
    CHECK(log.contains("pool: echoed 'ping 0'"));
    CHECK(log.contains("pool: echoed 'ping 2'"));
    CHECK(log.contains("pool: in use 2 of 2"));
    CHECK(log.contains("pool: third acquire pool exhausted: pool 'echo' exhausted: 2 of 2 in use"));
    CHECK(log.contains("pool: foreign release invalid argument"));
    CHECK(log.contains("pool: counter 7"));
    CHECK(log.contains("pool: wrong kind gives"));
    CHECK(log.contains("pool: warm created 2 with all in use"));
    CHECK(log.contains("pool: warm created 2 after the release"));
    CHECK_FALSE(log.contains("task failed"));
}
