// abi_channel: messages per second from one plugin task to another through a named mpsc channel
// of the registry, across the plugin ABI both ways (the sender's SDK coroutine calls
// weft_channel_send, the receiver's weft_channel_recv; each message is copied into the channel
// once and handed to the receiver). Both plugins are the same shared library (abi_plugin/),
// loaded twice by a real Coordinator. Compare with mpsc_uncontended_unbounded, the same traffic
// between two tasks in-process (5,000,000 u64, scaled).
//
// The plugins are loaded and started before the clock starts; the root task then wakes the
// sender and waits until the receiver has counted every message.
#include <spdlog/spdlog.h>

#include <string>

#include "harness.hpp"
#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kMessages = 5'000'000;
constexpr std::uint32_t kCapacity = 1024;

Task<void> go_and_wait(host::NamedNotify* go, host::NamedNotify* done) {
    go->notify.notify_one();
    co_await done->notify.notified();
}

Result abi_channel(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kMessages);
    const std::string plugin = std::string(WEFT_BENCH_PLUGIN_DIR) + "/abi_bench.so";
    const std::string text =
        R"({"channels": {"abi_bench": {"kind": "mpsc", "capacity": )" + std::to_string(kCapacity) +
        R"(}}, "plugins": [
           {"name": "receiver", "path": ")" +
        plugin + R"(", "config": {"role": "recv", "count": )" + std::to_string(n) + R"(}},
           {"name": "sender", "path": ")" +
        plugin + R"(", "config": {"role": "send", "count": )" + std::to_string(n) + R"(}}]})";
    auto parsed = host::parse_config(text, "abi_channel",
                                     [](const char*) -> std::optional<std::string> { return {}; });
    if (!parsed.ok()) throw std::runtime_error("abi_channel: bad config: " + parsed.errors[0]);

    spdlog::set_level(spdlog::level::warn);  // stdout carries the one JSON line
    host::Coordinator plugins(rt.handle(), *parsed.config, host::CoordinatorOptions{});
    if (plugins.start_all() != 0) throw std::runtime_error("abi_channel: the plugins failed");
    auto go = plugins.registry().notify("abi_go").object;
    auto done = plugins.registry().notify("abi_done").object;

    const double s = time_seconds([&] { rt.block_on(go_and_wait(go.get(), done.get())); });
    plugins.shutdown();
    return {n, s, {{"capacity", std::to_string(kCapacity)}}};
}

const Register reg("abi_channel", 200, abi_channel);

}  // namespace
}  // namespace weft::bench
