// ConnectCore: a non-blocking connect(2) as a leaf awaitable's state, shared by TcpStream and
// UnixStream. The first poll creates the socket and starts the connect; a connect in progress
// registers with the driver starting with no readiness (io_driver.hpp rule 5) and completes at
// its WRITABLE (or error) edge, when SO_ERROR says how it ended. An optional timeout, measured
// from the first poll, ends it with ETIMEDOUT ("connect 127.0.0.1:80: connection timed out").
// Dropping it before it completed closes the half-open socket. Spends coop budget.
#pragma once

#include <optional>

#include "runtime/coop/budget.hpp"
#include "runtime/net/stream_io.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::net::detail {

class ConnectCore {
   public:
    ConnectCore(SocketAddr addr, std::optional<time::Duration> timeout) noexcept
        : addr_(addr), timeout_(timeout) {}
    ConnectCore(ConnectCore&& other) noexcept
        : addr_(other.addr_),
          timeout_(other.timeout_),
          socket_(std::move(other.socket_)),
          error_(other.error_),
          started_(other.started_) {}  // a filed timer files again
    ConnectCore& operator=(ConnectCore&&) = delete;

    bool poll(Context& cx) noexcept;
    [[nodiscard]] IoResult<StreamCore> take();

   private:
    SocketAddr addr_;
    std::optional<time::Duration> timeout_;
    std::optional<time::Sleep> sleep_;
    Evented socket_;
    int error_ = 0;
    bool started_ = false;
};

}  // namespace weft::net::detail
