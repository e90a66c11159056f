// `weftd metrics [-c FILE | --socket PATH]`: the running daemon's /metrics (Prometheus text).
#include <fmt/core.h>

#include "cli/admin_query.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace weft::cli {

int metrics_command(const AdminOptions& options) {
    auto answer = query_admin(options, "/metrics");
    if (const int* code = std::get_if<int>(&answer)) return *code;
    fmt::print("{}", std::get<std::string>(answer));
    return kExitOk;
}

}  // namespace weft::cli
