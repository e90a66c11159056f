#include "runtime/time/clock.hpp"

namespace weft::time::detail {

void Clock::pause_at(Instant at) noexcept {
    // frozen_ns_ is published by the release store of paused_ (now() reads it after an acquire).
    frozen_ns_.store(at.time_since_epoch().count(), std::memory_order_relaxed);
    paused_.store(true, std::memory_order_release);
}

void Clock::resume() noexcept {
    const Instant frozen = Instant(Duration(frozen_ns_.load(std::memory_order_relaxed)));
    offset_ns_.store((frozen - std::chrono::steady_clock::now()).count(),
                     std::memory_order_relaxed);
    paused_.store(false, std::memory_order_release);
}

void Clock::advance(Duration d) noexcept {
    const Instant frozen = Instant(Duration(frozen_ns_.load(std::memory_order_relaxed)));
    frozen_ns_.store(add_saturating(frozen, d).time_since_epoch().count(),
                     std::memory_order_relaxed);
}

}  // namespace weft::time::detail
