// A reload's outcome as JSON: the answer to POST /reload and /status's "last_reload".
//
//   { "number", "result": "applied" | "invalid" | "ignored", "trigger", "file",
//     "time": "2026-01-01T12:00:00Z", "unix_time", "errors": [...], "changes": [...],
//     "needs_restart": [...], "failures": [...] }
#pragma once

#include <nlohmann/json.hpp>

#include "host/daemon/reload_outcome.hpp"

namespace weft::host::admin {

[[nodiscard]] nlohmann::json reload_json(const ReloadOutcome& outcome);

}  // namespace weft::host::admin
