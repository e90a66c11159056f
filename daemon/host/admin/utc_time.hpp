// Instants in the admin endpoint's JSON: "2027-01-15T08:00:00Z" (UTC, whole seconds) beside the
// same instant as Unix seconds, so that people and programs each read the field meant for them.
#pragma once

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace weft::host::admin {

[[nodiscard]] inline std::int64_t unix_seconds(std::chrono::system_clock::time_point at) {
    return std::chrono::floor<std::chrono::seconds>(at.time_since_epoch()).count();
}

[[nodiscard]] inline std::string utc_time_text(std::chrono::system_clock::time_point at) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds(at));
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc);
}

}  // namespace weft::host::admin
