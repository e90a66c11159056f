// chained_spawn: a task spawns the next, 1,000 deep; the last sends on a oneshot that the root
// awaits (as the anchor: the sender travels down the chain); 2,000 rounds in sequence.
#include <variant>

#include "harness.hpp"
#include "runtime/sync/oneshot.hpp"

namespace weft::bench {
namespace {

namespace oneshot = sync::oneshot;
using Unit = std::monostate;

constexpr std::uint64_t kDepth = 1'000;
constexpr std::uint64_t kRounds = 2'000;

Task<void> link(std::uint64_t depth, oneshot::Sender<Unit> done) {
    if (depth == 0) {
        (void)done.send(Unit{});
        co_return;
    }
    spawn(link(depth - 1, std::move(done))).detach();
}

Result chained_spawn(Runtime& rt, const Options& opt) {
    const std::uint64_t rounds = opt.scaled(kRounds);
    double s = time_seconds([&] {
        rt.block_on([](std::uint64_t rounds) -> Task<void> {
            for (std::uint64_t r = 0; r < rounds; ++r) {
                auto [tx, rx] = oneshot::channel<Unit>();
                spawn(link(kDepth, std::move(tx))).detach();
                (co_await rx).value();
            }
        }(rounds));
    });
    return {rounds * kDepth, s, {}};
}

const Register reg("chained_spawn", 50, chained_spawn);

}  // namespace
}  // namespace weft::bench
