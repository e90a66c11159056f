// abi_tcp_echo: tcp_echo (net_tcp.cpp) with the echo server in a plugin, through the ABI: the
// plugin (abi_plugin/, role "echo", written with the SDK as a plugin author would) accepts with
// weft_tcp_accept and echoes with weft_stream_read and weft_stream_write; the 50 clients are the
// in-process ones of tcp_echo (tcp_echo.hpp), so the two figures differ only in the
// server's path. Compare with tcp_echo: BENCHMARKS.md asks for at most 1.25x its time.
//
// The plugin is loaded and listening before the clock starts, on a port the benchmark picked
// (bound to 127.0.0.1:0 and released just before).
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "harness.hpp"
#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"
#include "runtime/net/net.hpp"
#include "runtime/time/time.hpp"
#include "tcp_echo.hpp"

namespace weft::bench {
namespace {

// A loopback port free a moment ago (the plugin binds it with SO_REUSEADDR, as listeners do).
std::uint16_t free_port(Runtime& rt) {
    return rt.block_on([]() -> Task<std::uint16_t> {
        auto l = net::TcpListener::bind(net::SocketAddr::localhost_v4(0));
        if (!l) throw std::runtime_error(std::string("abi_tcp_echo: ") + l.error().what());
        co_return l->local_addr().port();
    }());
}

Result abi_tcp_echo(Runtime& rt, const Options& opt) {
    const std::uint64_t rounds = opt.scaled(tcp_echo::kRounds);
    const std::uint16_t port = free_port(rt);
    const std::string plugin = std::string(WEFT_BENCH_PLUGIN_DIR) + "/abi_bench.so";
    const std::string text = R"({"plugins": [{"name": "echo", "path": ")" + plugin +
                             R"(", "config": {"role": "echo", "listen": "127.0.0.1:)" +
                             std::to_string(port) + R"("}}]})";
    auto parsed = host::parse_config(text, "abi_tcp_echo",
                                     [](const char*) -> std::optional<std::string> { return {}; });
    if (!parsed.ok()) throw std::runtime_error("abi_tcp_echo: bad config: " + parsed.errors[0]);

    spdlog::set_level(spdlog::level::warn);  // stdout carries the one JSON line
    host::Coordinator plugins(rt.handle(), *parsed.config, host::CoordinatorOptions{});
    if (plugins.start_all() != 0) throw std::runtime_error("abi_tcp_echo: the plugin failed");

    const auto addr = net::SocketAddr::localhost_v4(port);
    const double s = time_seconds([&] { rt.block_on(tcp_echo::run_clients(addr, rounds)); });
    // The plugin's tasks end only when polled, and on current_thread only a block_on polls: the
    // host shuts down on a thread of its own while this one drives the runtime (as weftd does).
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
        plugins.shutdown();
        stopped.store(true);
    });
    rt.block_on([](std::atomic<bool>& stopped) -> Task<void> {
        while (!stopped.load()) co_await time::sleep(std::chrono::milliseconds(1));
    }(stopped));
    stopper.join();
    return {tcp_echo::kClients * rounds, s, {}};
}

const Register reg("abi_tcp_echo", 210, abi_tcp_echo);

}  // namespace
}  // namespace weft::bench
