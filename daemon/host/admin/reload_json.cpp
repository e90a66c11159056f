#include "host/admin/reload_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace weft::host::admin {

nlohmann::json reload_json(const ReloadOutcome& o) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(o.at.time_since_epoch()).count();
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    return nlohmann::json{{"number", o.number},
                          {"result", to_string(o.result)},
                          {"trigger", o.trigger},
                          {"file", o.file},
                          {"time", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc)},
                          {"unix_time", seconds},
                          {"errors", o.errors},
                          {"changes", o.changes},
                          {"needs_restart", o.needs_restart},
                          {"failures", o.failures}};
}

}  // namespace weft::host::admin
