// A real redis-server for a test: started on a free loopback port with its files in a temporary
// folder, without persistence (--save '' --appendonly no), killed when the object goes away.
//
//   auto redis = weft::test::RedisServer::start();
//   if (!redis) { WARN(weft::test::RedisServer::why_not()); return; }   // not installed
//   redis->cli({"XLEN", "s"});            // "100000"
//   redis->stop(); ...; redis->restart();  // SHUTDOWN SAVE, then the same port and data again
//
// stop() asks Redis to save once (SHUTDOWN SAVE) so that restart() brings back the streams and
// consumer groups as a Redis with persistence would: a test can then take Redis away for a
// while without losing what it held. Commands go through redis-cli (same package).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../daemon/child_process.hpp"

namespace weft::test {

class RedisServer {
   public:
    static constexpr const char* kServer = "/usr/bin/redis-server";
    static constexpr const char* kCli = "/usr/bin/redis-cli";

    // The reason start() gives nothing, for the test's skip message.
    static std::string why_not() {
        return std::string("redis-server cannot be started here (") + kServer + " or " + kCli +
               " missing or not starting; install redis-server, packaging/install-deps.sh does): "
               "skipped";
    }

    static std::unique_ptr<RedisServer> start() {
        if (::access(kServer, X_OK) != 0 || ::access(kCli, X_OK) != 0) return nullptr;
        auto r = std::unique_ptr<RedisServer>(new RedisServer());
        r->port_ = free_port();
        if (r->port_ <= 0 || !r->launch()) return nullptr;
        return r;
    }

    ~RedisServer() {
        if (server_) {
            server_->send(SIGKILL);
            (void)server_->wait_exit();
        }
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] bool running() const noexcept { return server_ != nullptr; }

    // Runs redis-cli with `args`; its output without the final newline.
    std::string cli(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{kCli, "-p", std::to_string(port_)};
        argv.insert(argv.end(), args.begin(), args.end());
        Child c(argv);
        (void)c.wait_exit(std::chrono::seconds(30));
        std::string out = c.out();
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        return out;
    }

    // Saves once, then stops (the port refuses connections until restart()).
    bool stop() {
        if (!server_) return true;
        (void)cli({"SHUTDOWN", "SAVE"});
        auto code = server_->wait_exit(std::chrono::seconds(30));
        if (!code) {
            server_->send(SIGKILL);
            (void)server_->wait_exit();
        }
        server_.reset();
        return true;
    }
    // Starts again on the same port, loading what stop() saved.
    bool restart() { return launch(); }

   private:
    RedisServer() = default;

    static int free_port() {
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

    bool launch() {
        server_ = std::make_unique<Child>(std::vector<std::string>{
            kServer, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", dir_.path().string(), "--dbfilename", "dump.rdb",
            "--daemonize", "no", "--logfile", "", "--protected-mode", "yes"});
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < until) {
            if (cli({"PING"}) == "PONG") return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        server_->send(SIGKILL);
        (void)server_->wait_exit();
        server_.reset();
        return false;
    }

    TempDir dir_;
    int port_ = -1;
    std::unique_ptr<Child> server_;
};

}  // namespace weft::test
