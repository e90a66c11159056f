// What the admin HTTP server hands its handler and what the handler answers: plain values, so
// routing and rendering are tested without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::host::admin {

struct HttpRequest {
    std::string_view method;  // "GET", "POST", ... as sent
    std::string_view path;    // without the query string
};

struct HttpResponse {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

}  // namespace weft::host::admin
