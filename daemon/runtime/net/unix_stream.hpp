// weft::net::UnixListener and UnixStream: Unix-domain stream sockets (Tokio's
// `net::UnixListener`, `net::UnixStream`), with the same operations, cancel safety and budget as
// TcpListener and TcpStream (tcp_listener.hpp, tcp_stream.hpp, stream_io.hpp).
//
//   auto l = weft::net::UnixListener::bind("/run/app/app.sock");
//   auto c = co_await weft::net::UnixStream::connect("/run/app/app.sock");
//
// bind() fails with "address already in use" if the path exists (remove a stale socket first);
// dropping the listener does not remove the path. A connect to a listener whose backlog is full
// fails at once with EAGAIN ("resource temporarily unavailable"), as the kernel says.
#pragma once

#include <string_view>

#include "runtime/net/tcp_listener.hpp"

namespace weft::net {

class UnixStream {
   public:
    UnixStream() noexcept = default;
    explicit UnixStream(detail::StreamCore core) noexcept : core_(std::move(core)) {}
    UnixStream(UnixStream&&) noexcept = default;
    UnixStream& operator=(UnixStream&&) noexcept = default;

    class [[nodiscard]] Connect : public Pollable<Connect> {
       public:
        Connect(SocketAddr addr, std::optional<time::Duration> timeout) noexcept
            : core_(addr, timeout) {}
        bool poll(Context& cx) noexcept { return core_.poll(cx); }
        IoResult<UnixStream> await_resume();

       private:
        detail::ConnectCore core_;
    };
    // Connects to the socket at `path` (an invalid path fails the first poll).
    [[nodiscard]] static Connect connect(std::string_view path,
                                         std::optional<time::Duration> timeout = std::nullopt);

    [[nodiscard]] Read read(void* data, std::size_t len) noexcept { return {core_, data, len}; }
    [[nodiscard]] Write write(const void* data, std::size_t len) noexcept {
        return {core_, data, len};
    }
    [[nodiscard]] ReadExact read_exact(void* data, std::size_t len) noexcept {
        return {core_, data, len};
    }
    [[nodiscard]] WriteAll write_all(const void* data, std::size_t len) noexcept {
        return {core_, data, len};
    }
    IoResult<void> shutdown() noexcept { return detail::shutdown_write(core_); }
    // The path connected to (for an accepted stream: the peer's, usually unnamed).
    [[nodiscard]] const SocketAddr& peer_addr() const noexcept { return core_.peer; }
    [[nodiscard]] bool valid() const noexcept { return core_.socket.valid(); }
    [[nodiscard]] int native_handle() const noexcept { return core_.socket.fd(); }
    void close() noexcept { core_.socket.close(); }

   private:
    detail::StreamCore core_;
};

class UnixListener {
   public:
    UnixListener() noexcept = default;
    UnixListener(UnixListener&&) noexcept = default;
    UnixListener& operator=(UnixListener&&) noexcept = default;

    [[nodiscard]] static IoResult<UnixListener> bind(std::string_view path, int backlog = 1024,
                                                     const Handle* runtime = nullptr);

    class [[nodiscard]] Accept : public Pollable<Accept> {
       public:
        explicit Accept(UnixListener& l) noexcept : l_(&l) {}
        Accept(Accept&& o) noexcept
            : l_(o.l_), fd_(std::exchange(o.fd_, -1)), error_(o.error_), peer_(o.peer_) {}
        Accept& operator=(Accept&&) = delete;
        ~Accept();
        bool poll(Context& cx) noexcept;
        IoResult<Accepted<UnixStream>> await_resume();

       private:
        UnixListener* l_;
        int fd_ = -1;
        int error_ = 0;
        SocketAddr peer_;
    };
    [[nodiscard]] Accept accept() noexcept { return Accept(*this); }

    [[nodiscard]] const SocketAddr& local_addr() const noexcept { return local_; }
    [[nodiscard]] bool valid() const noexcept { return socket_.valid(); }
    void close() noexcept { socket_.close(); }

   private:
    detail::Evented socket_;
    SocketAddr local_;
};

}  // namespace weft::net
