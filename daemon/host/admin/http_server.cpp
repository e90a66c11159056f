#include "host/admin/http_server.hpp"

#include <fmt/format.h>
#include <microhttpd.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <stdexcept>

namespace weft::host::admin {

namespace {

// A slow or stuck client must not hold the single server thread's connections forever.
constexpr unsigned kConnectionTimeoutSeconds = 10;
constexpr unsigned kConnectionLimit = 32;

struct DestroyResponse {
    void operator()(MHD_Response* response) const noexcept { MHD_destroy_response(response); }
};
using ResponsePtr = std::unique_ptr<MHD_Response, DestroyResponse>;

MHD_Result send(MHD_Connection* connection, const HttpResponse& answer) {
    // MUST_COPY: the body's string dies when the handler returns.
    ResponsePtr response(MHD_create_response_from_buffer(
        answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY));
    if (!response) return MHD_NO;
    MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE,
                            answer.content_type.c_str());
    for (const auto& [name, value] : answer.headers)
        MHD_add_response_header(response.get(), name.c_str(), value.c_str());
    return MHD_queue_response(connection, answer.status, response.get());
}

}  // namespace

// The C callbacks, a friend so they reach the server's members.
struct HttpServerCallbacks {
    static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url,
                                 const char* method, const char* /*version*/,
                                 const char* /*upload_data*/, std::size_t* /*upload_data_size*/,
                                 void** /*request_state*/) noexcept {
        auto* server = static_cast<HttpServer*>(cls);
        try {
            return send(connection, server->handler_(HttpRequest{method, url}));
        } catch (const std::exception& error) {
            spdlog::error("admin endpoint {}: {} {} failed: {}", server->where_, method, url,
                          error.what());
        } catch (...) {
            spdlog::error("admin endpoint {}: {} {} failed", server->where_, method, url);
        }
        try {
            return send(connection,
                        HttpResponse{500, "text/plain; charset=utf-8", "internal error\n", {}});
        } catch (...) {
            return MHD_NO;  // closes the connection
        }
    }

    static void on_log(void* cls, const char* format, va_list args) noexcept {
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        std::string_view line(text);
        while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
        try {
            spdlog::debug("admin endpoint {}: libmicrohttpd: {}",
                          static_cast<HttpServer*>(cls)->where_, line);
        } catch (...) {
        }
    }
};

void HttpServer::Stop::operator()(MHD_Daemon* daemon) const noexcept { MHD_stop_daemon(daemon); }

HttpServer::HttpServer(UniqueFd listening, HttpHandler handler, std::string where)
    : handler_(std::move(handler)), where_(std::move(where)) {
    // Through a variable of the exact type: varargs do not convert the function pointer.
    const MHD_LogCallback logger = &HttpServerCallbacks::on_log;
    // The logger comes first so that start-up messages go to it too.
    MHD_Daemon* daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
        &HttpServerCallbacks::on_request, this, MHD_OPTION_EXTERNAL_LOGGER, logger, this,
        MHD_OPTION_LISTEN_SOCKET, listening.get(), MHD_OPTION_CONNECTION_TIMEOUT,
        kConnectionTimeoutSeconds, MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit, MHD_OPTION_END);
    if (daemon == nullptr)
        throw std::runtime_error(
            fmt::format("admin endpoint {}: libmicrohttpd did not start "
                        "(see the debug log)",
                        where_));
    daemon_.reset(daemon);
    // libmicrohttpd closes the listening socket when it stops.
    [[maybe_unused]] const int owned_by_mhd = listening.release();
}

HttpServer::~HttpServer() = default;

}  // namespace weft::host::admin
