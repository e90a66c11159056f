// sleep_many: the root task spawns 100,000 tasks; task i sleeps 1 + (h(i) mod 50) ms with
// h(i) = (i * 0x9E3779B97F4A7C15 mod 2^64) >> 40, then counts a latch down. Each task measures
// its own lateness (time slept minus time asked for) from its first poll, as the anchor does.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>

#include "harness.hpp"
#include "latch.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTasks = 100'000;
constexpr std::uint64_t kSleepMaxMs = 50;

struct Lateness {
    std::atomic<std::uint64_t> sum_ns{0};
    std::atomic<std::uint64_t> max_ns{0};
};

Task<void> sleeper(std::chrono::milliseconds d, std::shared_ptr<Latch> latch, Lateness* late) {
    const auto start = std::chrono::steady_clock::now();
    co_await time::sleep(d);
    const auto slept = std::chrono::steady_clock::now() - start;
    const auto over = slept > d ? static_cast<std::uint64_t>((slept - d).count()) : 0;
    late->sum_ns.fetch_add(over, std::memory_order_relaxed);
    std::uint64_t prev = late->max_ns.load(std::memory_order_relaxed);
    while (prev < over &&
           !late->max_ns.compare_exchange_weak(prev, over, std::memory_order_relaxed)) {
    }
    latch->count_down();
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

Result sleep_many(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kTasks);
    auto latch = std::make_shared<Latch>(n);  // shared: see spawn_many.cpp
    Lateness late;
    double s = time_seconds([&] {
        rt.block_on(
            [](std::shared_ptr<Latch> latch, Lateness* late, std::uint64_t n) -> Task<void> {
                for (std::uint64_t i = 0; i < n; ++i) {
                    const std::uint64_t h = (i * 0x9E3779B97F4A7C15ull) >> 40;
                    spawn(sleeper(std::chrono::milliseconds(1 + h % kSleepMaxMs), latch, late))
                        .detach();
                }
                co_await latch->wait();
            }(latch, &late, n));
    });
    Result r{n, s, {}};
    r.extra.emplace_back("sleep_max_ms", std::to_string(kSleepMaxMs));
    r.extra.emplace_back("overhead_seconds", fixed(s - static_cast<double>(kSleepMaxMs) / 1e3, 6));
    r.extra.emplace_back(
        "mean_late_us",
        fixed(static_cast<double>(late.sum_ns.load()) / static_cast<double>(n) / 1e3, 1));
    r.extra.emplace_back("max_late_us", fixed(static_cast<double>(late.max_ns.load()) / 1e3, 1));
    return r;
}

const Register reg("sleep_many", 100, sleep_many);

}  // namespace
}  // namespace weft::bench
