// yield_many: 1,000 tasks each yield 5,000 times.
#include <memory>

#include "harness.hpp"
#include "latch.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTasks = 1'000;
constexpr std::uint64_t kYields = 5'000;

Task<void> yielder(std::shared_ptr<Latch> latch) {
    for (std::uint64_t i = 0; i < kYields; ++i) co_await yield_now();
    latch->count_down();
}

Result yield_many(Runtime& rt, const Options& opt) {
    const std::uint64_t tasks = opt.scaled(kTasks);
    auto latch = std::make_shared<Latch>(tasks);  // shared: see spawn_many.cpp
    double s = time_seconds([&] {
        rt.block_on([](std::shared_ptr<Latch> latch, std::uint64_t tasks) -> Task<void> {
            for (std::uint64_t i = 0; i < tasks; ++i) spawn(yielder(latch)).detach();
            co_await latch->wait();
        }(latch, tasks));
    });
    return {tasks * kYields, s, {}};
}

const Register reg("yield_many", 30, yield_many);

}  // namespace
}  // namespace weft::bench
