// spawn_blocking_many: the root task issues 10,000 spawn_blocking(i * 3) calls, keeps the
// handles, then awaits them in order and checks the sum.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "harness.hpp"
#include "runtime/blocking/spawn_blocking.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kCalls = 10'000;

template <class T>
T black_box(T v) {
    volatile T x = v;
    return x;
}

Result spawn_blocking_many(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kCalls);
    double s = time_seconds([&] {
        rt.block_on([](std::uint64_t n) -> Task<void> {
            std::vector<BlockingHandle<std::uint64_t>> handles;
            handles.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i)
                handles.push_back(spawn_blocking([i] { return black_box(i) * 3; }));
            std::uint64_t acc = 0;
            for (auto& h : handles) acc += co_await h;
            if (acc != 3 * n * (n - 1) / 2) {
                std::fprintf(stderr, "spawn_blocking_many: wrong sum %llu\n",
                             static_cast<unsigned long long>(acc));
                std::abort();
            }
        }(n));
    });
    return {n, s, {}};
}

const Register reg("spawn_blocking_many", 120, spawn_blocking_many);

}  // namespace
}  // namespace weft::bench
