#include "host/admin/admin_routes.hpp"

#include "host/admin/metrics_text.hpp"
#include "host/admin/reload_json.hpp"
#include "host/admin/status_json.hpp"
#include "host/admin/task_view_json.hpp"

namespace weft::host::admin {
namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

HttpResponse text(unsigned status, std::string body) {
    return HttpResponse{status, kText, std::move(body), {}};
}

}  // namespace

HttpResponse AdminRoutes::reload() const {
    if (!reload_ || shutting_down()) return text(503, "not reloading: weftd is shutting down\n");
    HttpResponse slow;
    slow.later = [this] { return reload_answer(reload_()); };
    return slow;
}

HttpResponse AdminRoutes::reload_answer(const ReloadOutcome& outcome) {
    const unsigned status = outcome.result == ReloadOutcome::Result::applied   ? 200
                            : outcome.result == ReloadOutcome::Result::invalid ? 422
                                                                               : 503;
    std::string body =
        reload_json(outcome).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    body += '\n';
    return HttpResponse{status, "application/json", std::move(body), {}};
}

HttpResponse AdminRoutes::handle(const HttpRequest& request) const {
    if (request.path == "/reload") {
        if (request.method == "POST") return reload();
        HttpResponse answer = text(405, "method not allowed: use POST\n");
        answer.headers.emplace_back("Allow", "POST");
        return answer;
    }
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
    if (request.path == "/tasks" && tasks_) {
        std::string body =
            render_tasks(tasks_()).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        body += '\n';
        return HttpResponse{200, "application/json", std::move(body), {}};
    }
    return text(404, "not found: try /health, /metrics, /status, /tasks or POST /reload\n");
}

}  // namespace weft::host::admin
