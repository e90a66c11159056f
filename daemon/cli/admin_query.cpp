#include "cli/admin_query.hpp"

#include <fmt/core.h>

#include "cli/config_loading.hpp"
#include "cli/exit_codes.hpp"
#include "host/admin/unix_http_client.hpp"
#include "host/config/config.hpp"
#include "weft/version.hpp"

namespace weft::cli {

namespace fs = std::filesystem;

std::variant<fs::path, int> admin_socket(const AdminOptions& options) {
    if (options.socket) return *options.socket;
    fs::path config_file;
    if (options.config_path) {
        config_file = *options.config_path;
    } else {
        const fs::path installed(build_info::kInstallConfigFile);
        std::error_code ec;
        if (!fs::exists(installed, ec)) return fs::path(host::AdminConfig{}.socket);
        config_file = installed;
    }
    const auto config = load_config_or_report(config_file);
    if (!config) return kExitConfig;
    return fs::path(config->admin.socket);
}

std::optional<std::string> admin_get(const fs::path& socket, std::string_view target) {
    host::admin::HttpFetch fetched = host::admin::http_request_unix(socket, "GET", target);
    if (!fetched.reply) {
        fmt::print(stderr, "weftd: {}\n", fetched.error);
        return std::nullopt;
    }
    if (fetched.reply->status != 200) {
        fmt::print(stderr, "weftd: admin socket {}: GET {} answered {} {}\n", socket.string(),
                   target, fetched.reply->status, fetched.reply->reason);
        return std::nullopt;
    }
    return std::move(fetched.reply->body);
}

std::variant<std::string, int> query_admin(const AdminOptions& options, std::string_view target) {
    auto socket = admin_socket(options);
    if (const int* code = std::get_if<int>(&socket)) return *code;
    auto body = admin_get(std::get<fs::path>(socket), target);
    if (!body) return kExitRuntimeFailure;
    return std::move(*body);
}

}  // namespace weft::cli
