// chained_spawn: a task spawns the next, 1,000 deep; the last completes the round, which the
// root awaits; 2,000 rounds in sequence.
#include "harness.hpp"
#include "latch.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kDepth = 1'000;
constexpr std::uint64_t kRounds = 2'000;

Task<void> link(std::uint64_t depth, Latch* done) {
    if (depth == 0) {
        done->count_down();
        co_return;
    }
    spawn(link(depth - 1, done)).detach();
}

Result chained_spawn(Runtime& rt, const Options& opt) {
    const std::uint64_t rounds = opt.scaled(kRounds);
    double s = time_seconds([&] {
        rt.block_on([](std::uint64_t rounds) -> Task<void> {
            for (std::uint64_t r = 0; r < rounds; ++r) {
                Latch done(1);
                spawn(link(kDepth, &done)).detach();
                co_await done.wait();
            }
        }(rounds));
    });
    return {rounds * kDepth, s, {}};
}

const Register reg("chained_spawn", 50, chained_spawn);

}  // namespace
}  // namespace weft::bench
