#include "cli/systemd.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace weft::cli {

void notify_systemd(std::string_view state) {
    // unset_environment = 0: plugins started later may also want to talk to systemd.
    (void)sd_notify(0, std::string(state).c_str());
}

std::optional<std::chrono::milliseconds> watchdog_ping_interval() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    const auto half =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::microseconds(usec / 2));
    return std::max(half, std::chrono::milliseconds(1));
}

}  // namespace weft::cli
