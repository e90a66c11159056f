// weft_time_sleep_until: a runtime timer in a plugin's operation slot.
#pragma once

#include <cstdint>
#include <limits>

#include "weft/plugin.h"

namespace weft::host {

// CLOCK_MONOTONIC in nanoseconds (std::chrono::steady_clock on Linux), the clock of
// weft_time_now and of the deadlines plugins pass.
[[nodiscard]] weft_instant monotonic_now_ns() noexcept;

weft_status time_sleep_until(weft_context* cx, weft_instant deadline, weft_op** op);
weft_status time_sleep(weft_context* cx, std::uint64_t duration_ns, weft_op** op);

}  // namespace weft::host
