#include "runtime/util/stress.hpp"

#if defined(WEFT_STRESS_INJECT)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#endif

namespace weft::detail::stress {

#if defined(WEFT_STRESS_INJECT)
bool compiled_in() noexcept { return true; }
#else
bool compiled_in() noexcept { return false; }
#endif

#if defined(WEFT_STRESS_INJECT)
namespace {

std::atomic<std::uint64_t> g_seed{0};
std::atomic<std::uint64_t> g_epoch{0};    // bumped by enable(): threads reseed
std::atomic<std::uint64_t> g_threads{0};  // threads seeded in this epoch, in arrival order

struct Rng {
    std::uint64_t state = 0;
    std::uint64_t epoch = ~std::uint64_t{0};
    std::uint64_t next() noexcept {  // splitmix64: any seed, zero included, is fine
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

thread_local Rng t_rng;

void spin_for(std::chrono::nanoseconds d) noexcept {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
    }
}

}  // namespace

std::atomic<bool> g_active{false};

void perturb() noexcept {
    Rng& rng = t_rng;
    const std::uint64_t epoch = g_epoch.load(std::memory_order_acquire);
    if (rng.epoch != epoch) {
        rng.epoch = epoch;
        rng.state = g_seed.load(std::memory_order_relaxed) ^
                    (g_threads.fetch_add(1, std::memory_order_relaxed) * 0xD1B54A32D192ED03ull);
    }
    // Most points pass untouched; the rest yield (another thread runs in between) or spin for up
    // to ~200 us (a slow thread: a deadline computed here is stale by the time it is used).
    const std::uint64_t r = rng.next();
    switch (r % 16) {
        case 0:
        case 1:
        case 2:
            std::this_thread::yield();
            break;
        case 3:
            spin_for(std::chrono::nanoseconds((r >> 8) % 200'000));
            break;
        default:
            break;
    }
}

void enable(std::uint64_t seed) noexcept {
    g_seed.store(seed, std::memory_order_relaxed);
    g_threads.store(0, std::memory_order_relaxed);
    g_epoch.fetch_add(1, std::memory_order_release);
    g_active.store(true, std::memory_order_relaxed);
}

void disable() noexcept { g_active.store(false, std::memory_order_relaxed); }

namespace {
// WEFT_STRESS_SEED=N in the environment perturbs a whole test program from its start: this is how
// the Catch2 [stress] cases run under the stress label, and how one of their failures reproduces.
[[maybe_unused]] const bool g_from_environment = [] {
    const char* seed = std::getenv("WEFT_STRESS_SEED");
    if (seed && *seed) {
        enable(std::strtoull(seed, nullptr, 10));
        std::fprintf(stderr, "weft: stress points on, WEFT_STRESS_SEED=%s\n", seed);
    }
    return true;
}();
}  // namespace
#else
void enable(std::uint64_t) noexcept {}
void disable() noexcept {}
#endif

}  // namespace weft::detail::stress
