#include "host/admin/admin_server.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace weft::host::admin {

AdminServer::AdminServer(const AdminConfig& config, SnapshotSource source, ReloadAction reload,
                         TasksSource tasks)
    : routes_(std::move(source), std::move(reload), std::move(tasks)) {
    serve(listen_unix(config.socket));
    if (config.tcp) serve(listen_tcp(*config.tcp));
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::serve(ListenResult opened) {
    if (!opened.listener) {
        spdlog::error("{}; weftd runs without this admin endpoint", opened.error);
        return;
    }
    Listener& l = *opened.listener;
    try {
        auto server = std::make_unique<HttpServer>(
            std::move(l.fd), [this](const HttpRequest& r) { return routes_.handle(r); }, l.where);
        endpoints_.push_back(Endpoint{std::move(l.file), std::move(server)});
        spdlog::info("admin endpoint listening on {}", l.where);
    } catch (const std::exception& error) {
        spdlog::error("{}; weftd runs without this admin endpoint", error.what());
    }
}

void AdminServer::stop() noexcept {
    // Servers first (no request runs after this), then the socket files.
    for (Endpoint& e : endpoints_) e.server.reset();
    endpoints_.clear();
}

void AdminServer::remove_socket_files() noexcept {
    for (Endpoint& e : endpoints_) e.file.remove();
}

std::vector<std::string> AdminServer::endpoints() const {
    std::vector<std::string> out;
    for (const Endpoint& e : endpoints_) out.push_back(e.server->where());
    return out;
}

}  // namespace weft::host::admin
