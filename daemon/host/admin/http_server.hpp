// HttpServer: serves one already listening socket on a thread of its own, one request per
// connection (http_exchange.hpp says what each request gets).
//
// Hostile and slow clients (the endpoint has no authentication, and with admin.tcp any local user
// reaches it) cannot keep it from answering:
//   - every connection has a deadline: its whole request head within `header_timeout`, with no
//     pause longer than `idle_timeout` between bytes; its answer written within `write_timeout`.
//     A connection past its deadline while reading gets "408 Request Timeout" and is closed; one
//     that does not read its answer is closed.
//   - at most `max_connections` are open. When a new client arrives at the limit, the connection
//     that has been waiting longest for its request head is closed to make room (a slow-loris
//     attacker holds such connections; a real client sends its request at once), so a new
//     client is always let in while any connection is still reading.
//   - bytes that cannot begin an HTTP request get "400 Bad Request" and the connection is closed
//     at once.
// A slow answer (HttpResponse::later: a live reload) runs on a thread of its own while the server
// goes on serving; at most 4 run at once, a fifth request gets "429 Too Many Requests". Stopping
// the server waits for the slow answers still running and sends each what its socket takes.
// After its answer, a connection is shut down for writing, and what the client still sends is
// read and dropped for up to `linger` before the close (closing a TCP socket with unread bytes
// would reset it, and the client could lose the answer).
//
// The constructor starts serving or throws std::runtime_error (the fd is closed either way). The
// destructor stops the thread and closes every connection; no handler call runs after it returns.
//
// Thread-safety: the handler is called on the server thread, one request at a time, concurrently
// with anything the rest of the daemon does; it must only use thread-safe state.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include "host/admin/http_exchange.hpp"
#include "host/admin/unique_fd.hpp"

namespace weft::host::admin {

struct HttpLimits {
    std::size_t max_connections = 64;
    std::chrono::milliseconds header_timeout{5000};
    std::chrono::milliseconds idle_timeout{2000};
    std::chrono::milliseconds write_timeout{10000};
    std::chrono::milliseconds linger{1000};
};

class HttpServer {
   public:
    // `where` names the endpoint in log lines.
    HttpServer(UniqueFd listening, HttpHandler handler, std::string where, HttpLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] const std::string& where() const noexcept { return where_; }

   private:
    void serve() noexcept;

    HttpHandler handler_;
    std::string where_;
    HttpLimits limits_;
    UniqueFd listening_;
    UniqueFd wake_;       // an eventfd: written once to stop the thread
    UniqueFd slow_done_;  // an eventfd: written when a slow answer is ready
    std::thread thread_;
};

}  // namespace weft::host::admin
