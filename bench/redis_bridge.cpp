// redis_bridge_one_way: messages per second from a named channel of weftd A, through the
// redis-bridge plugin, a real redis-server and weftd B's bridge, into B's channel (and B's
// consumer's file), against redis-benchmark doing pipelined XADD of the same size on the same
// machine in the same run. Prints two JSON lines (BENCHMARKS.md's format; `runtime` says which):
//
//   {"workload":"redis_xadd_pipelined","runtime":"redis-benchmark","ops":...,"ops_per_sec":...}
//   {"workload":"redis_bridge_one_way","runtime":"weft","ops":...,"seconds":...,
//    "ops_per_sec":...,"redis_benchmark_ops_per_sec":...,"ratio":...}
//
// redis-benchmark runs one client with a pipeline of 512, as the bridge uses one connection per
// mapping and batches of 512. The weft figure times from starting weftd A (its producer sends
// `count` 16-byte records as fast as the channel takes them) until B's consumer has written the
// last one, so it includes A's start (a few milliseconds) and the consumer's file writes: a
// conservative figure. The target is at least half of redis-benchmark's rate.
//
//   weft-bench-bridge [--count N]      (default 200000; needs redis-server and redis-benchmark)
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A child process, its output in a file; killed (SIGKILL) if still running at destruction.
class Process {
   public:
    Process(std::vector<std::string> args, const fs::path& out) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (out.string() + ".err").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start " + args[0]);
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    int stop(int sig = SIGTERM) {
        ::kill(pid_, sig);
        return wait();
    }
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

   private:
    pid_t pid_ = -1;
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

// The size of the consumer's file once it holds "record 1\n" ... "record n\n".
std::uintmax_t expected_size(std::uint64_t n) {
    std::uintmax_t total = 0;
    for (std::uint64_t i = 1; i <= n; ++i) total += 8 + std::to_string(i).size();
    return total;
}

std::uintmax_t size_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uintmax_t>(st.st_size) : 0;
}

}  // namespace

int main(int argc, char** argv) try {
    std::uint64_t count = 200'000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--count" && i + 1 < argc) {
            count = std::stoull(argv[++i]);
        } else if (a == "list") {
            std::cout << "redis_bridge_one_way\n";
            return 0;
        } else if (a != "redis_bridge_one_way") {
            std::cerr << "usage: weft-bench-bridge [redis_bridge_one_way] [--count N]\n";
            return 2;
        }
    }
    for (const char* tool : {"/usr/bin/redis-server", "/usr/bin/redis-benchmark"})
        if (::access(tool, X_OK) != 0) {
            std::cerr << "weft-bench-bridge: " << tool
                      << " is missing (install redis-server; packaging/install-deps.sh does)\n";
            return 1;
        }
    char pattern[] = "/tmp/weft-bench-bridge-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    const fs::path dir = pattern;
    const int port = free_port();
    const std::string address = "127.0.0.1:" + std::to_string(port);
    int result = 0;
    {
        Process redis({"/usr/bin/redis-server", "--port", std::to_string(port), "--bind",
                       "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.string()},
                      dir / "redis.out");
        const auto ping_until = std::chrono::steady_clock::now() + 20s;
        while (true) {
            Process ping({"/usr/bin/redis-cli", "-p", std::to_string(port), "PING"},
                         dir / "ping.out");
            ping.wait();
            if (read_file(dir / "ping.out").starts_with("PONG")) break;
            if (std::chrono::steady_clock::now() > ping_until)
                throw std::runtime_error("redis-server did not start");
            std::this_thread::sleep_for(50ms);
        }

        // redis-benchmark: pipelined XADD of 16 bytes, one client.
        Process bench(
            {"/usr/bin/redis-benchmark", "-p", std::to_string(port), "-c", "1", "-P", "512", "-n",
             std::to_string(count), "-q", "XADD", "rb", "*", "data", "0123456789abcdef"},
            dir / "bench.out");
        bench.wait();
        const std::string out = read_file(dir / "bench.out");
        // "XADD rb * data 0123456789abcdef: 412371.16 requests per second, p50=..."; with -q
        // progress lines end in '\r', the last figure is the result.
        const auto rps_at = out.rfind(" requests per second");
        if (rps_at == std::string::npos)
            throw std::runtime_error("cannot read redis-benchmark's output: " + out);
        const auto colon = out.rfind(": ", rps_at);
        const double bench_rate = std::stod(out.substr(colon + 2, rps_at - colon - 2));
        std::printf(
            "{\"workload\":\"redis_xadd_pipelined\",\"runtime\":\"redis-benchmark\","
            "\"clients\":1,\"pipeline\":512,\"ops\":%llu,\"ops_per_sec\":%.1f}\n",
            static_cast<unsigned long long>(count), bench_rate);

        const fs::path file = dir / "b.log";
        std::ofstream(dir / "b.json")
            << R"({"admin": {"socket": ")" << (dir / "b.sock").string()
            << R"("}, "channels": {"records": {"kind": "mpsc", "capacity": 1024}},
              "plugins": [{"name": "bridge", "path": "redis-bridge.so", "config": {"redis": ")"
            << address << R"(", "inbound": [{"stream": "one_way", "group": "g", "consumer": "b",
              "channel": "records", "capacity": 1024, "batch": 512, "block_ms": 100}]}},
              {"name": "consumer", "path": "consumer.so", "config": {"channel": "records",
               "path": ")"
            << file.string() << R"(", "batch": 512}}]})";
        std::ofstream(dir / "a.json")
            << R"({"admin": {"socket": ")" << (dir / "a.sock").string() << R"("},
              "crash_loop": {"state_directory": ")"
            << dir.string() << R"("}, "channels": {"records": {"kind": "mpsc", "capacity": 1024}},
              "plugins": [{"name": "producer", "path": "producer.so", "config": {
                 "channel": "records", "capacity": 1024, "rate_hz": 0, "count": )"
            << count << R"(}}, {"name": "bridge", "path": "redis-bridge.so", "config": {
                 "redis": ")"
            << address << R"(", "outbound": [{"channel": "records", "capacity": 1024,
                 "stream": "one_way", "batch": 512}]}}]})";
        const std::string weftd = WEFTD_PATH;
        const std::string plugins = WEFT_BENCH_PLUGIN_DIR;
        Process b({weftd, "run", "-c", (dir / "b.json").string(), "--plugin-dir", plugins},
                  dir / "b.out");
        const auto ready_until = std::chrono::steady_clock::now() + 20s;
        while (read_file(dir / "b.out.err").find("weftd started") == std::string::npos) {
            if (std::chrono::steady_clock::now() > ready_until)
                throw std::runtime_error("weftd B did not start: " + read_file(dir / "b.out.err"));
            std::this_thread::sleep_for(10ms);
        }
        const std::uintmax_t want = expected_size(count);
        const auto start = std::chrono::steady_clock::now();
        Process a({weftd, "run", "-c", (dir / "a.json").string(), "--plugin-dir", plugins},
                  dir / "a.out");
        while (size_of(file) < want) {
            if (std::chrono::steady_clock::now() - start > 300s)
                throw std::runtime_error("B did not receive everything within 300 s");
            std::this_thread::sleep_for(1ms);
        }
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = static_cast<double>(count) / s;
        std::printf(
            "{\"workload\":\"redis_bridge_one_way\",\"runtime\":\"weft\",\"ops\":%llu,"
            "\"seconds\":%.3f,\"ops_per_sec\":%.1f,\"redis_benchmark_ops_per_sec\":%.1f,"
            "\"ratio\":%.3f}\n",
            static_cast<unsigned long long>(count), s, rate, bench_rate, rate / bench_rate);
        result = (a.stop() == 0 && b.stop() == 0) ? 0 : 1;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return result;
} catch (const std::exception& e) {
    std::cerr << "weft-bench-bridge: " << e.what() << "\n";
    return 1;
}
