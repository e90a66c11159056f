// What the admin HTTP server hands its handler and what the handler answers: plain values, so
// routing and rendering are tested without sockets.
#pragma once

#include <functional>
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
    // A slow answer (a live reload): when set, the fields above are ignored, and the server calls
    // `later` on a thread of its own and sends what it returns, serving its other connections
    // meanwhile (http_server.hpp).
    std::function<HttpResponse()> later = {};  // "= {}": aggregate inits may leave it out
};

}  // namespace weft::host::admin
