#include "host/admin/http_exchange.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace weft::host::admin {
namespace {

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 429:
            return "Too Many Requests";
        case 414:
            return "URI Too Long";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

}  // namespace

HttpResponse plain_error(unsigned status, std::string_view detail) {
    std::string body = fmt::format("{} {}", status, reason_phrase(status));
    if (!detail.empty()) body += fmt::format(": {}", detail);
    body += '\n';
    return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

std::string serialize_response(const HttpResponse& response, bool head_only) {
    std::string out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status, reason_phrase(response.status), response.content_type,
        response.body.size());
    for (const auto& [name, value] : response.headers)
        out += fmt::format("{}: {}\r\n", name, value);
    out += "\r\n";
    if (!head_only) out += response.body;
    return out;
}

HttpResponse run_slow_answer(const std::function<HttpResponse()>& call, std::string_view where) {
    try {
        return call();
    } catch (const std::exception& error) {
        spdlog::error("admin endpoint {}: a slow answer failed: {}", where, error.what());
    } catch (...) {
        spdlog::error("admin endpoint {}: a slow answer failed", where);
    }
    return plain_error(500);
}

void HttpExchange::finish(const HttpResponse& response) {
    status_ = response.status;
    answer_ = serialize_response(response, head_only_);
    answered_ = true;
}

bool HttpExchange::feed(std::string_view bytes, const HttpHandler& handler,
                        std::string_view where) {
    if (fed_) return true;
    (void)parser_.feed(bytes);
    HttpResponse response;
    bool head_only = false;
    switch (parser_.state()) {
        case RequestHeadParser::State::incomplete:
            return false;
        case RequestHeadParser::State::bad:
            response = plain_error(parser_.status(), parser_.reason());
            break;
        case RequestHeadParser::State::complete:
            head_only = parser_.method() == "HEAD";
            try {
                response = handler(HttpRequest{parser_.method(), parser_.path()});
            } catch (const std::exception& error) {
                spdlog::error("admin endpoint {}: {} {} failed: {}", where, parser_.method(),
                              parser_.target(), error.what());
                response = plain_error(500);
            } catch (...) {
                spdlog::error("admin endpoint {}: {} {} failed", where, parser_.method(),
                              parser_.target());
                response = plain_error(500);
            }
            break;
    }
    fed_ = true;
    head_only_ = head_only;
    if (response.later) {
        slow_ = std::move(response.later);
        return true;
    }
    finish(response);
    return true;
}

}  // namespace weft::host::admin
