// `weftd reload [-c FILE | --socket PATH]`: asks a running daemon to reload its config file
// through its admin endpoint (POST /reload) and prints the outcome. Exit 0 when the file was
// applied, 3 when it is invalid (its errors are printed; nothing changed), 1 when the daemon
// cannot be reached or ignored the request (shutting down).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "cli/admin_query.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "host/admin/unix_http_client.hpp"

namespace weft::cli {
namespace {

// A reload may drain plugins: as long as a shutdown may take, and then some.
constexpr auto kReloadTimeout = std::chrono::minutes(10);

std::vector<std::string> strings_at(const nlohmann::json& doc, const char* key) {
    std::vector<std::string> out;
    if (const auto it = doc.find(key); it != doc.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

}  // namespace

int reload_command(const AdminOptions& options) {
    auto socket = admin_socket(options);
    if (const int* code = std::get_if<int>(&socket)) return *code;
    const auto& path = std::get<std::filesystem::path>(socket);
    const auto fetched = host::admin::http_request_unix(path, "POST", "/reload", kReloadTimeout);
    if (!fetched.reply) {
        fmt::print(stderr, "weftd: {}\n", fetched.error);
        return kExitRuntimeFailure;
    }
    const auto& reply = *fetched.reply;
    const auto doc = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        fmt::print(stderr, "weftd: admin socket {}: POST /reload answered {} {}: {}", path.string(),
                   reply.status, reply.reason, reply.body);
        return kExitRuntimeFailure;
    }
    const std::string result = doc.value("result", "");
    const auto number = doc.value("number", 0);
    if (result == "applied") {
        const auto changes = strings_at(doc, "changes");
        fmt::print("reload #{} applied: {}\n", number,
                   changes.empty() ? std::string("nothing changed")
                                   : fmt::format("{}", fmt::join(changes, ", ")));
        for (const auto& f : strings_at(doc, "failures")) fmt::print("failed: {}\n", f);
        for (const auto& r : strings_at(doc, "needs_restart"))
            fmt::print("needs a restart: {}\n", r);
        return kExitOk;
    }
    if (result == "invalid") {
        for (const auto& e : strings_at(doc, "errors")) fmt::print(stderr, "{}\n", e);
        fmt::print(stderr, "reload #{}: the config is invalid; nothing changed\n", number);
        return kExitConfig;
    }
    fmt::print(stderr, "weftd: the reload was not done: weftd is shutting down\n");
    return kExitRuntimeFailure;
}

}  // namespace weft::cli
