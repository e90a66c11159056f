#include "host/admin/admin_routes.hpp"

#include "host/admin/metrics_text.hpp"
#include "host/admin/status_json.hpp"

namespace weft::host::admin {
namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

HttpResponse text(unsigned status, std::string body) {
    return HttpResponse{status, kText, std::move(body), {}};
}

}  // namespace

HttpResponse AdminRoutes::handle(const HttpRequest& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse answer = text(405, "method not allowed: use GET\n");
        answer.headers.emplace_back("Allow", "GET, HEAD");
        return answer;
    }
    if (request.path == "/health")
        return shutting_down() ? text(503, "shutting down\n") : text(200, "ok\n");
    if (request.path == "/metrics")
        return HttpResponse{
            200, kPrometheusContentType, render_metrics(source_(shutting_down())), {}};
    if (request.path == "/status") {
        // Names and messages come from plugins and the OS: replace bytes that are not UTF-8
        // rather than fail the whole dump.
        std::string body = render_status(source_(shutting_down()))
                               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        body += '\n';
        return HttpResponse{200, "application/json", std::move(body), {}};
    }
    return text(404, "not found: try /health, /metrics or /status\n");
}

}  // namespace weft::host::admin
