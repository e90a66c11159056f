#include "host/admin/reload_json.hpp"

#include "host/admin/utc_time.hpp"

namespace weft::host::admin {

nlohmann::json reload_json(const ReloadOutcome& o) {
    return nlohmann::json{{"number", o.number},
                          {"result", to_string(o.result)},
                          {"trigger", o.trigger},
                          {"file", o.file},
                          {"time", utc_time_text(o.at)},
                          {"unix_time", unix_seconds(o.at)},
                          {"errors", o.errors},
                          {"changes", o.changes},
                          {"needs_restart", o.needs_restart},
                          {"failures", o.failures}};
}

}  // namespace weft::host::admin
