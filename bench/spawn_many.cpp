// spawn_many_local: the root task spawns tiny tasks that count a latch down, then awaits it.
// spawn_many_remote: the main thread spawns them through a Handle from outside the runtime.
// Each task holds the latch (as the anchor's Arc clones): the root may return while the last
// count_down is still inside notify_one.
#include <memory>

#include "harness.hpp"
#include "latch.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTasks = 1'000'000;

Task<void> count_down(std::shared_ptr<Latch> latch) {
    latch->count_down();
    co_return;
}

Result spawn_many_local(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kTasks);
    auto latch = std::make_shared<Latch>(n);
    double s = time_seconds([&] {
        rt.block_on([](std::shared_ptr<Latch> latch, std::uint64_t n) -> Task<void> {
            for (std::uint64_t i = 0; i < n; ++i) spawn(count_down(latch)).detach();
            co_await latch->wait();
        }(latch, n));
    });
    return {n, s, {}};
}

Result spawn_many_remote(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kTasks);
    auto latch = std::make_shared<Latch>(n);
    Handle handle = rt.handle();
    double s = time_seconds([&] {
        for (std::uint64_t i = 0; i < n; ++i) handle.spawn(count_down(latch)).detach();
        rt.block_on(
            [](std::shared_ptr<Latch> latch) -> Task<void> { co_await latch->wait(); }(latch));
    });
    return {n, s, {}};
}

const Register local("spawn_many_local", 10, spawn_many_local);
const Register remote("spawn_many_remote", 20, spawn_many_remote);

}  // namespace
}  // namespace weft::bench
