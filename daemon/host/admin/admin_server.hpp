// AdminServer: the admin endpoint of DESIGN.md, on the config's Unix socket and, if configured,
// its loopback TCP endpoint (admin_routes.hpp says what it answers).
//
// The constructor opens each endpoint and serves it on a thread of its own (http_server.hpp: with
// per-connection timeouts and a connection limit, so slow or hostile clients cannot keep /health
// from answering). An
// endpoint that cannot be set up (a directory it may not create, a socket path in use, a port
// taken) is logged as one error naming its address and the OS's reason, and left out: the daemon
// never fails because of its admin endpoint.
//
// Lifetime in weftd: started once the plugins run, just before the job scheduler; begin_shutdown()
// when the shutdown signal arrives (/health turns 503 while /metrics and /status keep answering
// through the whole shutdown sequence); stop() last, just before the runtime shuts down. stop()
// joins the server threads and removes the socket file.
//
// Thread-safety: construct, stop and destroy on one thread; begin_shutdown from any thread. The
// snapshot source is called on the server threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/admin/admin_routes.hpp"
#include "host/admin/http_server.hpp"
#include "host/admin/listener.hpp"
#include "host/config/config.hpp"

namespace weft::host::admin {

class AdminServer {
   public:
    // `reload`: what POST /reload runs (admin_routes.hpp); none answers 503. `tasks`: what GET
    // /tasks shows; none answers 404.
    AdminServer(const AdminConfig& config, SnapshotSource source, ReloadAction reload = {},
                TasksSource tasks = {});
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    void begin_shutdown() noexcept { routes_.begin_shutdown(); }
    // Idempotent.
    void stop() noexcept;
    // For an immediate exit (weftd's second signal), which runs no destructor and must not wait
    // for a server thread: removes the socket files only, so no stale socket stays behind.
    void remove_socket_files() noexcept;
    // "unix:/run/weft/admin.sock" and so on, for each endpoint being served.
    [[nodiscard]] std::vector<std::string> endpoints() const;

   private:
    struct Endpoint {
        SocketFile file;                     // removed after the server stopped
        std::unique_ptr<HttpServer> server;  // stopped first (declared last)
    };

    void serve(ListenResult opened);

    AdminRoutes routes_;  // outlives the servers, whose threads call it
    std::vector<Endpoint> endpoints_;
};

}  // namespace weft::host::admin
