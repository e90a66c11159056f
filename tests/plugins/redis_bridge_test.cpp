// redis-bridge end to end: real weftd processes bridged through a real redis-server (started
// by the test on a free loopback port, without persistence, killed at the end). weftd A runs the
// producer (numbered records into a channel) and an outbound mapping; weftd B an inbound
// mapping into a channel and the consumer, which appends "record <seq>" lines to a file. The
// file then says what arrived: every number at least once, and how many twice.
// Without redis-server the tests say so and pass (a WARN), as plugin.h's network tests do
// without a network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "../daemon/child_process.hpp"
#include "../support/redis_server.hpp"

namespace {

using namespace weft::test;
using namespace std::chrono_literals;

const std::string kWeftd = WEFTD_PATH;
const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;

bool bridge_built() { return fs::exists(fs::path(kPlugins) / "redis-bridge.so"); }

#define REQUIRE_REDIS(redis)                                              \
    if (!bridge_built()) {                                                \
        WARN("redis-bridge.so was not built (hiredis missing): skipped"); \
        return;                                                           \
    }                                                                     \
    auto redis = RedisServer::start();                                    \
    if (!redis) {                                                         \
        WARN(RedisServer::why_not());                                     \
        return;                                                           \
    }

// What the consumer's file holds.
struct Received {
    std::set<std::uint64_t> distinct;
    std::vector<std::uint64_t> repeated;  // each line whose number came before, in file order
    std::size_t lines = 0;
    [[nodiscard]] std::size_t duplicates() const { return lines - distinct.size(); }
    // Every number from 1 to n is there (the n-th smallest number is n).
    [[nodiscard]] bool complete(std::uint64_t n) const {
        if (n == 0) return true;
        if (distinct.size() < n || *distinct.begin() != 1) return false;
        return *std::next(distinct.begin(), static_cast<std::ptrdiff_t>(n - 1)) == n;
    }
};

Received read_records(const std::vector<fs::path>& files) {
    Received r;
    for (const auto& f : files) {
        std::ifstream in(f);
        std::string line;
        while (std::getline(in, line)) {
            std::uint64_t seq = 0;
            if (std::sscanf(line.c_str(), "record %lu", &seq) == 1) {
                if (!r.distinct.insert(seq).second) r.repeated.push_back(seq);
                ++r.lines;
            }
        }
    }
    return r;
}

// Waits until the files hold every number 1..n (generously: the machine is shared).
Received wait_for_all(const std::vector<fs::path>& files, std::uint64_t n,
                      std::chrono::seconds deadline = 180s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    Received r = read_records(files);
    while (!r.complete(n) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(100ms);
        r = read_records(files);
    }
    return r;
}

// Numbers as ranges ("1-5, 9, 12-40"), at most `limit` of them, for a closing note.
std::string ranges(std::vector<std::uint64_t> numbers, std::size_t limit = 20) {
    std::sort(numbers.begin(), numbers.end());
    std::ostringstream out;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < numbers.size();) {
        std::size_t j = i;
        while (j + 1 < numbers.size() && numbers[j + 1] <= numbers[j] + 1) ++j;
        if (shown == limit) {
            out << ", ...";
            break;
        }
        out << (shown ? ", " : "") << numbers[i];
        if (numbers[j] != numbers[i]) out << "-" << numbers[j];
        ++shown;
        i = j + 1;
    }
    return out.str();
}

// The numbers of 1..n missing from `r`.
std::vector<std::uint64_t> missing(const Received& r, std::uint64_t n) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = 1; i <= n; ++i)
        if (!r.distinct.contains(i)) out.push_back(i);
    return out;
}

// How many entries `group` of `stream` acknowledged: read by its consumers, no longer pending.
std::uint64_t acknowledged(const RedisServer& redis, const std::string& stream,
                           const std::string& group) {
    std::istringstream in(redis.cli({"XINFO", "GROUPS", stream}));
    std::string key;
    std::string value;
    std::string name;
    std::uint64_t read = 0;
    std::uint64_t pending = 0;
    while (std::getline(in, key) && std::getline(in, value)) {
        if (key == "name") name = value;
        if (name != group) continue;
        if (key == "pending") pending = std::strtoull(value.c_str(), nullptr, 10);
        if (key == "entries-read") read = std::strtoull(value.c_str(), nullptr, 10);
    }
    return read > pending ? read - pending : 0;
}

// Polls `done` every few ms until it holds or `deadline` passes; whether it holds.
template <class Pred>
bool wait_until(Pred done, std::chrono::seconds deadline = 120s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    return done();
}

std::size_t count_lines(const fs::path& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
}

// weftd A: the producer sends `count` records (at rate_hz, 0: as fast as the channel takes
// them) into "records", which the bridge adds to `stream`. Its spool goes to `state`.
std::string config_a(const RedisServer& redis, const std::string& stream, std::uint64_t count,
                     const fs::path& state, int rate_hz = 0, bool producer = true) {
    std::ostringstream c;
    c << R"({"shutdown": {"grace_period_ms": 10000},
             "crash_loop": {"state_directory": ")"
      << state.string() << R"("},
             "channels": {"records": {"kind": "mpsc", "capacity": 1024}},
             "plugins": [)";
    if (producer)
        c << R"({"name": "producer", "path": "producer.so",
                 "config": {"channel": "records", "capacity": 1024, "rate_hz": )"
          << rate_hz << R"(, "count": )" << count << R"(}},)";
    c << R"({"name": "bridge", "path": "redis-bridge.so",
             "config": {"redis": ")"
      << redis.address() << R"(", "backoff_ms": 50, "max_backoff_ms": 500,
                        "outbound": [{"channel": "records", "capacity": 1024,
                                      "stream": ")"
      << stream << R"(", "batch": 512}]}}]})";
    return c.str();
}

// weftd B: the bridge reads `stream` as `consumer` of `group` into "records"; the consumer
// appends them to `file`.
std::string config_b(const RedisServer& redis, const std::string& stream, const std::string& group,
                     const std::string& consumer, const fs::path& file,
                     std::int64_t claim_idle_ms = 30000) {
    std::ostringstream c;
    c << R"({"shutdown": {"grace_period_ms": 10000},
             "channels": {"records": {"kind": "mpsc", "capacity": 1024}},
             "plugins": [
               {"name": "bridge", "path": "redis-bridge.so",
                "config": {"redis": ")"
      << redis.address() << R"(", "backoff_ms": 50, "max_backoff_ms": 500,
                           "inbound": [{"stream": ")"
      << stream << R"(", "group": ")" << group << R"(", "consumer": ")" << consumer
      << R"(", "channel": "records", "capacity": 1024, "batch": 512, "block_ms": 200,
                                        "claim_idle_ms": )"
      << claim_idle_ms << R"(}]}},
               {"name": "consumer", "path": "consumer.so",
                "config": {"channel": "records", "path": ")"
      << file.string() << R"(", "batch": 256}}]})";
    return c.str();
}

std::unique_ptr<Child> run_weftd(const fs::path& config) {
    return std::make_unique<Child>(
        std::vector<std::string>{kWeftd, "run", "-c", config.string(), "--plugin-dir", kPlugins});
}

// Stops a weftd with SIGTERM; its exit code, and its log for the failure message.
int stop(Child& weftd) {
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    return code ? *code : -1;
}

}  // namespace

TEST_CASE(
    "redis-bridge: 100,000 numbered messages from weftd A reach weftd B through a Redis stream, "
    "every number at least once") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 100'000;
    const fs::path out = dir.path() / "b.log";
    auto b = run_weftd(dir.write("b.json", config_b(*redis, "s1", "g", "b", out)));
    REQUIRE(wait_for_text(b->stderr_file(), "weftd started"));
    const auto started = std::chrono::steady_clock::now();
    auto a = run_weftd(dir.write("a.json", config_a(*redis, "s1", kCount, dir.path() / "state")));
    const Received r = wait_for_all({out}, kCount);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    std::cout << "redis-bridge scenario 1: " << r.distinct.size() << " of " << kCount
              << " numbers in " << ms << " ms, " << r.duplicates() << " duplicates\n";
    CHECK(stop(*a) == 0);
    CHECK(stop(*b) == 0);
    INFO(a->err());
    INFO(b->err());
    CHECK(r.complete(kCount));
    CHECK(r.distinct.size() == kCount);
    CHECK(redis->cli({"XLEN", "s1"}) == std::to_string(kCount));
    CHECK_THAT(a->err(), Catch::Contains("100000 messages acknowledged"));
}

TEST_CASE(
    "redis-bridge: weftd B killed with SIGKILL half-way and started again still receives every "
    "number at least once, re-reading its own pending entries") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 100'000;
    const fs::path out = dir.path() / "b.log";
    const fs::path b_config = dir.write("b.json", config_b(*redis, "s2", "g", "b", out));
    auto b = run_weftd(b_config);
    REQUIRE(wait_for_text(b->stderr_file(), "weftd started"));
    auto a = run_weftd(dir.write("a.json", config_a(*redis, "s2", kCount, dir.path() / "state")));
    (void)wait_until([&] { return count_lines(out) >= kCount / 2; });
    b->send(SIGKILL);
    CHECK(b->wait_exit() == 128 + SIGKILL);
    const std::size_t before = count_lines(out);
    b = run_weftd(b_config);
    const Received r = wait_for_all({out}, kCount);
    std::cout << "redis-bridge scenario 2: killed after " << before << " lines; "
              << r.distinct.size() << " of " << kCount << " numbers, " << r.duplicates()
              << " duplicates\n";
    CHECK(stop(*a) == 0);
    CHECK(stop(*b) == 0);
    INFO(b->err());
    CHECK(r.complete(kCount));
    CHECK(before < kCount);
    // The restarted B re-read its own pending entries first.
    CHECK_THAT(b->err(), Catch::Contains(" redelivered, "));
    CHECK_THAT(b->err(), !Catch::Contains("(0 redelivered"));
}

TEST_CASE(
    "redis-bridge: weftd B started after A produced the whole stream, killed with SIGKILL "
    "half-way through the backlog and started again, still receives every number at least once") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 100'000;
    // A produces the whole stream before B exists: B then reads a backlog as fast as it can,
    // with its channel full all the time, which is when acknowledging ahead of the consumer
    // would lose entries to a SIGKILL.
    auto a = run_weftd(dir.write("a.json", config_a(*redis, "s6", kCount, dir.path() / "state")));
    REQUIRE(wait_until([&] { return redis->cli({"XLEN", "s6"}) == std::to_string(kCount); }, 180s));

    const fs::path out = dir.path() / "b.log";
    const fs::path b_config = dir.write("b.json", config_b(*redis, "s6", "g", "b", out));
    auto b = run_weftd(b_config);
    // Half-way, and once B has acknowledged entries: killed before its first acknowledgement, B
    // would only re-read everything.
    (void)wait_until(
        [&] { return count_lines(out) >= kCount / 2 && acknowledged(*redis, "s6", "g") != 0; });
    b->send(SIGKILL);
    CHECK(b->wait_exit() == 128 + SIGKILL);
    const std::size_t before = count_lines(out);
    const std::string first_log = b->err();
    // What B acknowledged its consumer had taken; at most the batch (256) it was writing when
    // the SIGKILL came may be missing from the file (README, "What is not guaranteed").
    const std::uint64_t acked = acknowledged(*redis, "s6", "g");
    std::cout << "redis-bridge scenario 2 with a backlog: B acknowledged " << acked
              << " entries when killed, its file had " << before << " lines\n";
    CHECK(acked > 0);
    CHECK(acked <= before + 256);
    b = run_weftd(b_config);
    const Received r = wait_for_all({out}, kCount);
    const auto lost = missing(r, kCount);
    std::cout << "redis-bridge scenario 2 with a backlog: killed after " << before << " lines; "
              << r.distinct.size() << " of " << kCount << " numbers, " << r.duplicates()
              << " duplicates (" << ranges(r.repeated) << ")";
    if (!lost.empty()) std::cout << "; missing " << lost.size() << " (" << ranges(lost) << ")";
    std::cout << "\n";
    CHECK(stop(*a) == 0);
    CHECK(stop(*b) == 0);
    INFO(first_log);
    INFO(b->err());
    CHECK(before >= kCount / 2);
    CHECK(before < kCount);
    CHECK(lost.empty());
    CHECK(r.complete(kCount));
    CHECK_THAT(b->err(), !Catch::Contains("(0 redelivered"));
}

TEST_CASE(
    "redis-bridge: two consumers B1 and B2 in one group both receive a share, and together "
    "every number") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 50'000;
    const fs::path out1 = dir.path() / "b1.log";
    const fs::path out2 = dir.path() / "b2.log";
    auto b1 = run_weftd(dir.write("b1.json", config_b(*redis, "s3", "g", "b1", out1)));
    auto b2 = run_weftd(dir.write("b2.json", config_b(*redis, "s3", "g", "b2", out2)));
    REQUIRE(wait_for_text(b1->stderr_file(), "weftd started"));
    REQUIRE(wait_for_text(b2->stderr_file(), "weftd started"));
    // A steady rate, so that both consumers are asked while entries keep arriving.
    auto a = run_weftd(
        dir.write("a.json", config_a(*redis, "s3", kCount, dir.path() / "state", 20'000)));
    const Received r = wait_for_all({out1, out2}, kCount);
    const auto share1 = count_lines(out1);
    const auto share2 = count_lines(out2);
    std::cout << "redis-bridge scenario 3: b1 " << share1 << ", b2 " << share2 << ", "
              << r.duplicates() << " duplicates\n";
    CHECK(stop(*a) == 0);
    CHECK(stop(*b1) == 0);
    CHECK(stop(*b2) == 0);
    CHECK(r.complete(kCount));
    CHECK(share1 > 0);
    CHECK(share2 > 0);
}

TEST_CASE("redis-bridge: Redis stopped for a few seconds while A produces loses nothing") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 30'000;
    const fs::path out = dir.path() / "b.log";
    auto b = run_weftd(dir.write("b.json", config_b(*redis, "s4", "g", "b", out)));
    REQUIRE(wait_for_text(b->stderr_file(), "weftd started"));
    auto a = run_weftd(
        dir.write("a.json", config_a(*redis, "s4", kCount, dir.path() / "state", 10'000)));
    (void)wait_until([&] { return count_lines(out) >= 2'000; }, 60s);
    REQUIRE(redis->stop());
    std::this_thread::sleep_for(3s);
    REQUIRE(redis->restart());
    const Received r = wait_for_all({out}, kCount);
    std::cout << "redis-bridge scenario 4: " << r.distinct.size() << " of " << kCount << ", "
              << r.duplicates() << " duplicates\n";
    CHECK(stop(*a) == 0);
    CHECK(stop(*b) == 0);
    INFO(a->err());
    CHECK(r.complete(kCount));
    // One warning for the outage, with the count waiting, then one line when it is over.
    CHECK_THAT(a->err(), Catch::Contains("messages waiting, retrying with backoff"));
    CHECK_THAT(a->err(), Catch::Contains("reachable again after"));
}

TEST_CASE(
    "redis-bridge: A stopped with SIGTERM while Redis is down spools the unsent messages, which "
    "arrive after A and Redis start again") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 5'000;
    const fs::path out = dir.path() / "b.log";
    const fs::path state = dir.path() / "state";
    auto b = run_weftd(dir.write("b.json", config_b(*redis, "s5", "g", "b", out)));
    REQUIRE(wait_for_text(b->stderr_file(), "weftd started"));
    REQUIRE(redis->stop());
    // All 5,000 fit in the channel (1024) and the bridge's hands (512 held) only in part: the
    // producer waits on the full channel, and stops when SIGTERM comes.
    auto a = run_weftd(dir.write("a.json", config_a(*redis, "s5", kCount, state)));
    REQUIRE(wait_for_text(a->stderr_file(), "messages waiting, retrying with backoff"));
    std::this_thread::sleep_for(500ms);
    CHECK(stop(*a) == 0);
    const std::string a_log = a->err();
    INFO(a_log);
    const fs::path spool = state / "redis-bridge" / "bridge-s5.spool";
    REQUIRE(fs::exists(spool));
    CHECK(fs::file_size(spool) > 0);
    CHECK_THAT(a_log, Catch::Contains("unsent messages for stream 's5' spooled to"));
    // How many the producer's channel accepted: the number B must end with.
    std::uint64_t sent = 0;
    const auto at = a_log.find("producer: stopped; sent ");
    REQUIRE(at != std::string::npos);
    sent = std::stoull(a_log.substr(at + std::string("producer: stopped; sent ").size()));
    REQUIRE(sent > 0);

    REQUIRE(redis->restart());
    auto a2 = run_weftd(dir.write("a2.json", config_a(*redis, "s5", 0, state, 0, false)));
    const Received r = wait_for_all({out}, sent);
    std::cout << "redis-bridge scenario 5: " << sent << " accepted before SIGTERM, "
              << r.distinct.size() << " arrived, " << r.duplicates() << " duplicates\n";
    CHECK(stop(*a2) == 0);
    CHECK(stop(*b) == 0);
    INFO(a2->err());
    CHECK(r.complete(sent));
    CHECK_THAT(a2->err(), Catch::Contains("spooled messages for stream 's5'"));
    CHECK_FALSE(fs::exists(spool));  // all acknowledged: the spool is gone
}

TEST_CASE(
    "redis-bridge: check-config reports bad bridge configuration with the plugin and the JSON "
    "pointer") {
    if (!bridge_built()) {
        WARN("redis-bridge.so was not built (hiredis missing): skipped");
        return;
    }
    TempDir dir;
    const auto check = [&](const std::string& bridge_config) {
        const std::string text = R"({"plugins": [{"name": "bridge", "path": "redis-bridge.so",
                                                  "config": )" +
                                 bridge_config + "}]}";
        Child c({kWeftd, "check-config", "-c", dir.write("c.json", text).string(), "--plugin-dir",
                 kPlugins});
        const auto code = c.wait_exit();
        return std::make_pair(code ? *code : -1, c.out() + c.err());
    };
    {
        auto [code, text] = check(
            R"({"inbound": [{"stream": "s", "channel": "c", "kind": "broadcast", "group": "g"}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("bridge"));
        CHECK_THAT(text, Catch::Contains("/inbound/0/kind"));
        CHECK_THAT(text, Catch::Contains("broadcast"));
    }
    {
        auto [code, text] = check(R"({"inbound": [{"stream": "s", "channel": "c"}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("/inbound/0/group: missing"));
    }
    {
        auto [code, text] = check(R"({"password_file": "/nonexistent/redis.pw",
                      "outbound": [{"stream": "s", "channel": "c"}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("/password_file"));
        CHECK_THAT(text, Catch::Contains("cannot read \"/nonexistent/redis.pw\""));
    }
    {
        auto [code, text] = check(R"({"outbound": [{"stream": "s", "channel": "c",
                                                   "kind": "watch"}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("/outbound/0/kind"));
    }
    {
        auto [code, text] = check(R"({"redis": "nowhere", "outbound": [{"stream": "s",
                                                                       "channel": "c"}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("/redis"));
    }
    {
        auto [code, text] = check(R"({"outbound": [{"stream": "s", "channel": "c",
                                                   "batch": 100000000}]})");
        CHECK(code == 3);
        CHECK_THAT(text, Catch::Contains("/outbound/0/batch"));
    }
    {
        const fs::path pw = dir.write("redis.pw", "secret\n");
        auto [code, text] = check(R"({"password_file": ")" + pw.string() + R"(",
                                      "outbound": [{"stream": "s", "channel": "c"}],
                                      "inbound": [{"stream": "t", "group": "g",
                                                   "channel": "d"}]})");
        INFO(text);
        CHECK(code == 0);
    }
}

TEST_CASE(
    "redis-bridge: /metrics and /status show each mapping's sent, acknowledged, received and "
    "pending figures and the group's lag") {
    REQUIRE_REDIS(redis);
    TempDir dir;
    constexpr std::uint64_t kCount = 2'000;
    const fs::path out = dir.path() / "b.log";
    const std::string socket_a = (dir.path() / "a.sock").string();
    const std::string socket_b = (dir.path() / "b.sock").string();
    Child b(
        {kWeftd, "run", "-c", dir.write("b.json", config_b(*redis, "s7", "g", "b", out)).string(),
         "--plugin-dir", kPlugins},
        {"WEFT_ADMIN_SOCKET=" + socket_b});
    REQUIRE(wait_for_text(b.stderr_file(), "weftd started"));
    Child a({kWeftd, "run", "-c",
             dir.write("a.json", config_a(*redis, "s7", kCount, dir.path() / "state")).string(),
             "--plugin-dir", kPlugins},
            {"WEFT_ADMIN_SOCKET=" + socket_a});
    REQUIRE(wait_for_all({out}, kCount).complete(kCount));
    std::this_thread::sleep_for(1500ms);  // one stats round (stats_interval_ms 1000)
    const auto admin = [&](const std::string& what, const std::string& socket) {
        Child c({kWeftd, what, "--socket", socket});
        (void)c.wait_exit();
        return c.out();
    };
    const std::string ma = admin("metrics", socket_a);
    const std::string mb = admin("metrics", socket_b);
    const std::string sb = admin("status", socket_b);
    INFO(ma);
    INFO(mb);
    CHECK_THAT(ma, Catch::Contains("# TYPE weft_plugin_redis_bridge_sent_total counter"));
    CHECK_THAT(
        ma, Catch::Contains("weft_plugin_redis_bridge_acknowledged_total{plugin=\"bridge\",channel="
                            "\"records\",direction=\"outbound\",stream=\"s7\"} 2000"));
    CHECK_THAT(ma, Catch::Contains("weft_plugin_redis_bridge_pending{plugin=\"bridge\""));
    CHECK_THAT(
        mb, Catch::Contains("weft_plugin_redis_bridge_received_total{plugin=\"bridge\",channel="
                            "\"records\",direction=\"inbound\",group=\"g\",stream=\"s7\"} 2000"));
    CHECK_THAT(mb, Catch::Contains("weft_plugin_redis_bridge_consumer_group_lag{"));
    CHECK_THAT(sb, Catch::Contains("\"redis_bridge_received_total\""));
    CHECK(stop(a) == 0);
    CHECK(stop(b) == 0);
}

namespace {

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes connections into its
// backlog, so a client connects and writes, and no answer ever comes (a Redis that stalls).
class SilentServer {
   public:
    SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
            ::listen(fd_, 64) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len))
            throw std::runtime_error("silent server: cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
    }
    ~SilentServer() { ::close(fd_); }
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;
    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

   private:
    int fd_;
    int port_ = 0;
};

}  // namespace

TEST_CASE(
    "redis-bridge: a server that accepts and never answers is an outage: logged once per "
    "direction, and the shutdown spools what waits") {
    if (!bridge_built()) {
        WARN("redis-bridge.so was not built (hiredis missing): skipped");
        return;
    }
    SilentServer silent;
    TempDir dir;
    const fs::path state = dir.path() / "state";
    std::ostringstream c;
    c << R"({"shutdown": {"grace_period_ms": 10000},
             "crash_loop": {"state_directory": ")"
      << state.string() << R"("},
             "channels": {"records": {"kind": "mpsc", "capacity": 1024},
                          "in": {"kind": "mpsc", "capacity": 1024}},
             "plugins": [
               {"name": "producer", "path": "producer.so",
                "config": {"channel": "records", "capacity": 1024, "rate_hz": 0, "count": 100}},
               {"name": "bridge", "path": "redis-bridge.so",
                "config": {"redis": ")"
      << silent.address() << R"(", "reply_timeout_ms": 200, "backoff_ms": 50,
                           "max_backoff_ms": 100,
                           "outbound": [{"channel": "records", "stream": "q"}],
                           "inbound": [{"stream": "q", "group": "g", "channel": "in"}]}},
               {"name": "consumer", "path": "consumer.so",
                "config": {"channel": "in", "path": ")"
      << (dir.path() / "in.log").string() << R"("}}]})";
    auto weftd = run_weftd(dir.write("weftd.json", c.str()));
    REQUIRE(wait_for_text(weftd->stderr_file(), "did not answer within 200 ms"));
    std::this_thread::sleep_for(2s);  // several more attempts, each timing out
    const int code = stop(*weftd);
    const std::string log = weftd->err();
    INFO(log);
    CHECK(code == 0);
    CHECK(count_of(log, "redis-bridge: cannot send to stream 'q'") == 1);
    CHECK(count_of(log, "redis-bridge: reading stream 'q' at") == 1);
    CHECK_THAT(log, !Catch::Contains("reading stream 'q' again"));
    CHECK_THAT(log, Catch::Contains("redis-bridge: 100 unsent messages for stream 'q' spooled"));
}
