#include "runtime/net/tcp_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace weft::net {

IoResult<TcpStream> TcpStream::Connect::await_resume() {
    auto core = core_.take();
    if (!core) return sync::err(std::move(core).error());
    return TcpStream(std::move(*core));
}

namespace detail {

IoResult<void> shutdown_write(const StreamCore& s) noexcept {
    try {
        if (!s.socket.valid()) return sync::err(IoError(EBADF, "shutdown: the stream is closed"));
        if (s.socket.io()->is_shut_down())  // the runtime closed the socket under us
            return sync::err(IoError::from_errno(kRuntimeShutdown, "shutdown", s.peer.to_string()));
        if (::shutdown(s.socket.fd(), SHUT_WR) < 0)
            return sync::err(IoError::from_errno(errno, "shutdown", s.peer.to_string()));
        return {};
    } catch (...) {  // formatting the message ran out of memory
        return sync::err(IoError(ENOMEM, ""));
    }
}

IoResult<SocketAddr> local_addr_of(int fd, const char* op, const SocketAddr& where) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
        return sync::err(IoError::from_errno(errno, op, where.to_string()));
    return SocketAddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

}  // namespace detail

IoResult<void> TcpStream::shutdown() noexcept { return detail::shutdown_write(core_); }

IoResult<void> TcpStream::set_nodelay(bool on) noexcept {
    try {
        const int v = on ? 1 : 0;
        if (::setsockopt(core_.socket.fd(), IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) < 0)
            return sync::err(IoError::from_errno(errno, "set_nodelay", core_.peer.to_string()));
        return {};
    } catch (...) {
        return sync::err(IoError(ENOMEM, ""));
    }
}

IoResult<bool> TcpStream::nodelay() const noexcept {
    try {
        int v = 0;
        socklen_t len = sizeof v;
        if (::getsockopt(core_.socket.fd(), IPPROTO_TCP, TCP_NODELAY, &v, &len) < 0)
            return sync::err(IoError::from_errno(errno, "nodelay", core_.peer.to_string()));
        return v != 0;
    } catch (...) {
        return sync::err(IoError(ENOMEM, ""));
    }
}

IoResult<SocketAddr> TcpStream::local_addr() const {
    return detail::local_addr_of(core_.socket.fd(), "local_addr", core_.peer);
}

}  // namespace weft::net
