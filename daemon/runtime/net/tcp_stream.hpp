// weft::net::TcpStream: a TCP connection (Tokio's `net::TcpStream`).
//
//   auto s = co_await weft::net::TcpStream::connect(addr, std::chrono::seconds(5));
//   if (!s) { log(s.error().what()); co_return; }   // "connect 10.0.0.7:80: connection refused"
//   co_await s->write_all(request.data(), request.size());
//   char buf[4096];
//   auto n = co_await s->read(buf, sizeof buf);      // 0: the peer closed its side
//
// Reads and writes are leaf awaitables (stream_io.hpp: cancel safety, budget). The socket is
// non-blocking and registered with the runtime's driver; the task that reads or writes makes the
// syscall itself when the driver says the socket is ready. One task may read while another
// writes (each direction has its own waiter), but not two readers or two writers at once.
// Every awaitable refers to the stream: keep the stream alive (and unmoved) while one is pending.
// They compose with weft::time::timeout; on a timeout the read or write did not happen (read and
// write are cancel-safe).
//
// Dropping the stream closes the connection. When the runtime shuts down, its sockets are closed
// under the objects that still hold them; every later operation fails with "the runtime is shut
// down" (IoError::is_shutdown()). Make streams inside a runtime's task.
#pragma once

#include <cstddef>
#include <optional>

#include "runtime/net/connect.hpp"
#include "runtime/net/stream_io.hpp"

namespace weft::net {

class TcpStream {
   public:
    TcpStream() noexcept = default;
    explicit TcpStream(detail::StreamCore core) noexcept : core_(std::move(core)) {}
    TcpStream(TcpStream&&) noexcept = default;
    TcpStream& operator=(TcpStream&&) noexcept = default;

    class [[nodiscard]] Connect : public Pollable<Connect> {
       public:
        Connect(SocketAddr addr, std::optional<time::Duration> timeout) noexcept
            : core_(addr, timeout) {}
        bool poll(Context& cx) noexcept { return core_.poll(cx); }
        IoResult<TcpStream> await_resume();

       private:
        detail::ConnectCore core_;
    };
    // Connects to `addr`, giving up after `timeout` (measured from the first poll) if set.
    [[nodiscard]] static Connect connect(SocketAddr addr,
                                         std::optional<time::Duration> timeout = std::nullopt) {
        return Connect(addr, timeout);
    }

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

    // Shuts the write side down: the peer reads the end of the stream; this side can still read.
    IoResult<void> shutdown() noexcept;
    IoResult<void> set_nodelay(bool on) noexcept;
    [[nodiscard]] IoResult<bool> nodelay() const noexcept;
    [[nodiscard]] const SocketAddr& peer_addr() const noexcept { return core_.peer; }
    [[nodiscard]] IoResult<SocketAddr> local_addr() const;
    [[nodiscard]] bool valid() const noexcept { return core_.socket.valid(); }
    // The descriptor (owned by the stream; for setsockopt and the like).
    [[nodiscard]] int native_handle() const noexcept { return core_.socket.fd(); }
    void close() noexcept { core_.socket.close(); }

   private:
    detail::StreamCore core_;
};

// What accept() gives: the new connection and its peer's address.
template <class Stream>
struct Accepted {
    Stream stream;
    SocketAddr peer;
};

namespace detail {
// The shared steps of the stream types' small synchronous calls.
[[nodiscard]] IoResult<void> shutdown_write(const StreamCore& s) noexcept;
[[nodiscard]] IoResult<SocketAddr> local_addr_of(int fd, const char* op, const SocketAddr& where);
}  // namespace detail

}  // namespace weft::net
