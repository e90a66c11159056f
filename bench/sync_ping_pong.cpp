// ping_pong (Tokio's rt_multi_threaded::ping_pong): 1,000 iterations; each spawns 1,000 tasks;
// each of these creates two oneshots, spawns a partner, sends a ping on the first and awaits the
// partner's answer on the second; the iteration ends when all 1,000 round trips are done (latch).
// ops = round trips (each: 2 spawns, 2 oneshot channels).
#include <memory>
#include <variant>

#include "harness.hpp"
#include "latch.hpp"
#include "runtime/sync/oneshot.hpp"

namespace weft::bench {
namespace {

namespace oneshot = sync::oneshot;
using Unit = std::monostate;

constexpr std::uint64_t kIterations = 1'000;
constexpr std::uint64_t kPings = 1'000;

Task<void> pong(oneshot::Receiver<Unit> rx, oneshot::Sender<Unit> tx) {
    (co_await rx).value();
    tx.send(Unit{}).value();
}

// The latch is shared (as the anchor's Arc): the root may finish and drop it while the last
// count_down is still inside notify_one.
Task<void> ping(std::shared_ptr<Latch> latch) {
    auto ch1 = oneshot::channel<Unit>();
    auto ch2 = oneshot::channel<Unit>();
    spawn(pong(std::move(ch1.second), std::move(ch2.first))).detach();
    ch1.first.send(Unit{}).value();
    (co_await ch2.second).value();
    latch->count_down();
}

Task<void> root(std::uint64_t iterations) {
    for (std::uint64_t i = 0; i < iterations; ++i) {
        auto latch = std::make_shared<Latch>(kPings);
        for (std::uint64_t p = 0; p < kPings; ++p) spawn(ping(latch)).detach();
        co_await latch->wait();
    }
}

Result ping_pong(Runtime& rt, const Options& opt) {
    const std::uint64_t iterations = opt.scaled(kIterations);
    double s = time_seconds([&] { rt.block_on(root(iterations)); });
    return {iterations * kPings, s, {}};
}

const Register reg("ping_pong", 40, ping_pong);

}  // namespace
}  // namespace weft::bench
