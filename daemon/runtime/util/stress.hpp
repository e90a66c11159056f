// Stress injection: WEFT_STRESS_POINT() marks a synchronisation point of the runtime (a lock about
// to be taken, a flag about to be published, a thread about to park) where a perturbed run may
// yield the thread or spin for a few microseconds, so that the interleavings a loaded or slow
// machine produces (valgrind, a busy CI host) show up on an idle one.
//
// Compiled in only with the build option WEFT_STRESS_INJECT (the dev preset); otherwise the macro
// is nothing. Only the runtime's own sources may use the macro (the option defines
// WEFT_STRESS_INJECT for them alone). Compiled in, a point is one relaxed load until a test calls
// enable(seed); from then on each thread draws from its own generator seeded from `seed` and the
// order in which threads first reached a point, so a seed picks the same perturbation pattern on
// every run (the OS scheduler still adds its own noise). WEFT_STRESS_SEED=N in the environment
// enables them with seed N when the program starts.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail::stress {

// Whether this build has the points (WEFT_STRESS_INJECT is defined for the runtime's own sources
// only, so code outside it asks here).
[[nodiscard]] bool compiled_in() noexcept;

#if defined(WEFT_STRESS_INJECT)
extern std::atomic<bool> g_active;
void perturb() noexcept;
inline void point() noexcept {
    if (g_active.load(std::memory_order_relaxed)) perturb();
}
#endif

// Starts perturbing every point, in every thread, with a pattern drawn from `seed`. No effect
// when the points are compiled out.
void enable(std::uint64_t seed) noexcept;
// Stops perturbing (the points cost one relaxed load again).
void disable() noexcept;

}  // namespace weft::detail::stress

#if defined(WEFT_STRESS_INJECT)
#define WEFT_STRESS_POINT() ::weft::detail::stress::point()
#else
#define WEFT_STRESS_POINT() static_cast<void>(0)
#endif
