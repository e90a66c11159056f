// weft::time::Instant: a point on the runtime's monotonic clock.
//
// Instant is std::chrono::steady_clock::time_point, so it mixes with the standard library; the
// runtime's clock (clock.hpp) hands out values of the same type, which is how a paused test clock
// (weft::time::pause) stands in for the real one. Read the clock with weft::time::now(), not
// steady_clock::now(), in code that should follow a paused clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace weft::time {

using Instant = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

// The current runtime's clock (paused or not); steady_clock::now() outside a runtime.
[[nodiscard]] Instant now() noexcept;

namespace detail {

// t + d, clamped to the clock's range instead of overflowing (sleep(hours::max()) is "forever").
[[nodiscard]] inline Instant add_saturating(Instant t, Duration d) noexcept {
    using Rep = Duration::rep;
    const Rep base = t.time_since_epoch().count();
    Rep sum;
    if (__builtin_add_overflow(base, d.count(), &sum))
        sum = d.count() > 0 ? std::numeric_limits<Rep>::max() : std::numeric_limits<Rep>::min();
    return Instant(Duration(sum));
}

}  // namespace detail
}  // namespace weft::time
