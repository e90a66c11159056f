// A minimal HTTP/1.1 client over a Unix socket, for the commands that talk to a running daemon's
// admin endpoint (`weftd status`, `weftd metrics`) and for tests.
//
// One request per connection: it sends `METHOD TARGET` with `Connection: close`, reads until the
// server closes, and splits the answer into status, headers and body. It understands bodies
// delimited by Content-Length or by the end of the connection, not chunked ones. Each send and
// receive waits at most `timeout`.
//
// Failures are one message naming the socket path and the reason ("no such file: is weftd
// running?"). Thread-safety: no shared state.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace weft::host::admin {

struct HttpReply {
    int status = 0;
    std::string reason;        // "OK", "Not Found", ...
    std::string content_type;  // empty when the server sent none
    std::string body;
};

struct HttpFetch {
    std::optional<HttpReply> reply;  // set when a well-formed answer arrived
    std::string error;               // otherwise why not
};

[[nodiscard]] HttpFetch http_request_unix(
    const std::filesystem::path& socket, std::string_view method, std::string_view target,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace weft::host::admin
