#include "runtime/net/udp_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "runtime/net/tcp_stream.hpp"

namespace weft::net {

IoResult<UdpSocket> UdpSocket::bind(const SocketAddr& addr, const Handle* runtime) {
    const std::string where = addr.to_string();
    const int fd = detail::open_socket(addr.family(), SOCK_DGRAM);
    if (fd < 0) return sync::err(IoError::from_errno(errno, "bind", where));
    if (::bind(fd, addr.raw(), addr.len()) < 0) {
        const int e = errno;
        ::close(fd);
        return sync::err(IoError::from_errno(e, "bind", where));
    }
    auto socket = detail::Evented::open(fd, detail::kReadable | detail::kWritable, "bind", addr,
                                        detail::io_driver_of(runtime));
    if (!socket) return sync::err(std::move(socket).error());
    auto local = detail::local_addr_of(socket->fd(), "bind", addr);
    if (!local) return sync::err(std::move(local).error());
    UdpSocket s;
    s.socket_ = std::move(*socket);
    s.local_ = *local;
    return s;
}

IoResult<void> UdpSocket::connect(const SocketAddr& peer) {
    if (::connect(socket_.fd(), peer.raw(), peer.len()) < 0)
        return sync::err(IoError::from_errno(errno, "connect", peer.to_string()));
    peer_ = peer;
    return {};
}

bool UdpSocket::SendTo::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    const int fd = s_->socket_.fd();
    if (s_->socket_.poll_io(
            cx, detail::Direction::write,
            [&]() -> ssize_t {
                return has_to_ ? ::sendto(fd, data_, len_, MSG_NOSIGNAL, to_.raw(), to_.len())
                               : ::send(fd, data_, len_, MSG_NOSIGNAL);
            },
            &n_, &error_))
        return true;
    coop::refund();
    return false;
}

IoResult<std::size_t> UdpSocket::SendTo::await_resume() const {
    if (n_ < 0)
        return sync::err(IoError::from_errno(error_, has_to_ ? "send_to" : "send",
                                             (has_to_ ? to_ : s_->peer_).to_string()));
    return static_cast<std::size_t>(n_);
}

bool UdpSocket::RecvFrom::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    const int fd = s_->socket_.fd();
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (s_->socket_.poll_io(
            cx, detail::Direction::read,
            [&]() -> ssize_t {
                len = sizeof ss;
                return ::recvfrom(fd, data_, len_, MSG_TRUNC, reinterpret_cast<sockaddr*>(&ss),
                                  &len);
            },
            &n_, &error_)) {
        if (n_ >= 0) from_ = SocketAddr(reinterpret_cast<const sockaddr*>(&ss), len);
        return true;
    }
    coop::refund();
    return false;
}

IoResult<std::pair<std::size_t, SocketAddr>> UdpSocket::RecvFrom::await_resume() const {
    if (n_ < 0) return sync::err(IoError::from_errno(error_, "recv", s_->local_.to_string()));
    return std::pair<std::size_t, SocketAddr>(static_cast<std::size_t>(n_), from_);
}

}  // namespace weft::net
