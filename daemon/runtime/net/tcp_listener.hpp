// weft::net::TcpListener: a listening TCP socket (Tokio's `net::TcpListener`).
//
//   auto listener = weft::net::TcpListener::bind(*weft::net::SocketAddr::parse("127.0.0.1:0"));
//   if (!listener) { log(listener.error().what()); co_return; }  // "bind ...: address in use"
//   auto port = listener->local_addr()->port();
//   while (true) {
//       auto conn = co_await listener->accept();
//       if (!conn) continue;                       // e.g. "accept 127.0.0.1:80: too many open
//       files" weft::spawn(serve(std::move(conn->stream)));
//   }
//
// bind() is synchronous (no name lookup: resolve first with lookup_host) and sets SO_REUSEADDR,
// so a restarted server can bind while old connections linger in TIME_WAIT. `backlog` bounds the
// connections the kernel completes before accept() takes them (the kernel caps it at
// net.core.somaxconn); connects beyond it are not answered until room frees up.
//
// accept() is a leaf awaitable: cancel-safe (a dropped accept takes no connection: it stays in
// the backlog for the next accept), spends coop budget, composes with timeout and first_of. One
// task accepts at a time. Dropping the listener closes it (queued, unaccepted connections are
// reset). The accepted stream is non-blocking and registered like a connected one.
#pragma once

#include "runtime/net/tcp_stream.hpp"

namespace weft::net {

class TcpListener {
   public:
    TcpListener() noexcept = default;
    TcpListener(TcpListener&&) noexcept = default;
    TcpListener& operator=(TcpListener&&) noexcept = default;

    // Binds and listens on `addr` (port 0: a free port, see local_addr), on the current
    // runtime, or on `runtime` from any thread.
    [[nodiscard]] static IoResult<TcpListener> bind(const SocketAddr& addr, int backlog = 1024,
                                                    const Handle* runtime = nullptr);

    class [[nodiscard]] Accept : public Pollable<Accept> {
       public:
        explicit Accept(TcpListener& l) noexcept : l_(&l) {}
        Accept(Accept&& o) noexcept
            : l_(o.l_), fd_(std::exchange(o.fd_, -1)), error_(o.error_), peer_(o.peer_) {}
        Accept& operator=(Accept&&) = delete;
        ~Accept();  // closes a connection taken but never handed out
        bool poll(Context& cx) noexcept;
        IoResult<Accepted<TcpStream>> await_resume();

       private:
        TcpListener* l_;
        int fd_ = -1;  // the accepted descriptor, until await_resume wraps it
        int error_ = 0;
        SocketAddr peer_;
    };
    [[nodiscard]] Accept accept() noexcept { return Accept(*this); }

    [[nodiscard]] const SocketAddr& local_addr() const noexcept { return local_; }
    [[nodiscard]] bool valid() const noexcept { return socket_.valid(); }
    [[nodiscard]] int native_handle() const noexcept { return socket_.fd(); }
    void close() noexcept { socket_.close(); }

   private:
    detail::Evented socket_;
    SocketAddr local_;
};

namespace detail {
// accept4(2) in a readiness loop, shared with UnixListener: on true, *fd is the connection (or
// -1 and *error), *peer its address.
[[nodiscard]] bool poll_accept(Evented& listener, const Context& cx, int* fd, int* error,
                               SocketAddr* peer) noexcept;
// socket, bind, listen, register: shared with UnixListener.
[[nodiscard]] IoResult<Evented> listen_on(const SocketAddr& addr, int backlog, bool reuse_addr,
                                          const Handle* runtime);
}  // namespace detail

}  // namespace weft::net
