// The daemon's side of systemd's notify protocol (Type=notify). Every call is a harmless no-op
// when weftd does not run under systemd (NOTIFY_SOCKET unset).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace weft::cli {

// Sends one state line such as "READY=1" or "STOPPING=1\nSTATUS=shutting down".
void notify_systemd(std::string_view state);

// How often to send WATCHDOG=1: half of WatchdogSec, as sd_watchdog_enabled(3) advises; empty
// when systemd does not watch this process.
[[nodiscard]] std::optional<std::chrono::milliseconds> watchdog_ping_interval();

}  // namespace weft::cli
