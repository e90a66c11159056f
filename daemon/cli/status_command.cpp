// `weftd status [--tasks] [-c FILE | --socket PATH]`: the running daemon's /status (or /tasks),
// pretty-printed JSON.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/admin_query.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace weft::cli {

int status_command(const AdminOptions& options, bool tasks) {
    const char* const path = tasks ? "/tasks" : "/status";
    auto answer = query_admin(options, path);
    if (const int* code = std::get_if<int>(&answer)) return *code;
    const std::string& body = std::get<std::string>(answer);
    // Parsed so that a daemon answering something else is reported, not printed as if valid.
    const auto status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (status.is_discarded()) {
        fmt::print(stderr, "weftd: the admin endpoint's {} is not valid JSON\n", path);
        return kExitRuntimeFailure;
    }
    fmt::print("{}\n", status.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
}

}  // namespace weft::cli
