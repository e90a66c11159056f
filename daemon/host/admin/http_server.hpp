// HttpServer: libmicrohttpd serving one already listening socket on a thread of its own.
//
// The constructor starts serving or throws std::runtime_error (the listening fd is then closed
// by the UniqueFd as usual). Once started, libmicrohttpd owns the fd and closes it when stopped.
// The destructor stops the server: it closes the listening socket and open connections and joins
// the server thread, so no handler call runs after it returns.
//
// Thread-safety: the handler is called on the server thread, one request at a time, concurrently
// with anything the rest of the daemon does; it must only use thread-safe state. An exception it
// throws becomes a 500 answer.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "host/admin/http_types.hpp"
#include "host/admin/unique_fd.hpp"

struct MHD_Daemon;

namespace weft::host::admin {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
   public:
    // `where` names the endpoint in log lines.
    HttpServer(UniqueFd listening, HttpHandler handler, std::string where);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] const std::string& where() const noexcept { return where_; }

   private:
    struct Stop {
        void operator()(MHD_Daemon* daemon) const noexcept;
    };

    // Declared before daemon_: the server thread uses them until daemon_ is stopped.
    HttpHandler handler_;
    std::string where_;
    std::unique_ptr<MHD_Daemon, Stop> daemon_;

    friend struct HttpServerCallbacks;
};

}  // namespace weft::host::admin
