#include "runtime/net/tcp_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace weft::net {
namespace detail {

bool poll_accept(Evented& listener, const Context& cx, int* fd, int* error,
                 SocketAddr* peer) noexcept {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ssize_t r = -1;
    const int lfd = listener.fd();
    if (!listener.poll_io(
            cx, Direction::read,
            [&]() -> ssize_t {
                len = sizeof ss;
                return ::accept4(lfd, reinterpret_cast<sockaddr*>(&ss), &len,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
            },
            &r, error))
        return false;
    *fd = static_cast<int>(r);
    if (r >= 0) *peer = SocketAddr(reinterpret_cast<const sockaddr*>(&ss), len);
    return true;
}

IoResult<Evented> listen_on(const SocketAddr& addr, int backlog, bool reuse_addr,
                            const Handle* runtime) {
    const std::string where = addr.to_string();
    const int fd = open_socket(addr.family(), SOCK_STREAM);
    if (fd < 0) return sync::err(IoError::from_errno(errno, "bind", where));
    if (reuse_addr) {
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (::bind(fd, addr.raw(), addr.len()) < 0) {
        const int e = errno;
        ::close(fd);
        return sync::err(IoError::from_errno(e, "bind", where));
    }
    if (::listen(fd, backlog < 0 ? 0 : backlog) < 0) {
        const int e = errno;
        ::close(fd);
        return sync::err(IoError::from_errno(e, "listen", where));
    }
    return Evented::open(fd, kReadable, "listen", addr, io_driver_of(runtime));
}

}  // namespace detail

IoResult<TcpListener> TcpListener::bind(const SocketAddr& addr, int backlog,
                                        const Handle* runtime) {
    if (!addr.is_ipv4() && !addr.is_ipv6())
        return sync::err(
            IoError(EAFNOSUPPORT, "bind " + addr.to_string() + ": not an IPv4 or IPv6 address"));
    auto socket = detail::listen_on(addr, backlog, true, runtime);
    if (!socket) return sync::err(std::move(socket).error());
    auto local = detail::local_addr_of(socket->fd(), "bind", addr);
    if (!local) return sync::err(std::move(local).error());
    TcpListener l;
    l.socket_ = std::move(*socket);
    l.local_ = *local;
    return l;
}

TcpListener::Accept::~Accept() {
    if (fd_ >= 0) ::close(fd_);
}

bool TcpListener::Accept::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    if (detail::poll_accept(l_->socket_, cx, &fd_, &error_, &peer_)) return true;
    coop::refund();
    return false;
}

IoResult<Accepted<TcpStream>> TcpListener::Accept::await_resume() {
    if (fd_ < 0) return sync::err(IoError::from_errno(error_, "accept", l_->local_.to_string()));
    auto socket =
        detail::Evented::open(std::exchange(fd_, -1), detail::kReadable | detail::kWritable,
                              "accept", l_->local_, l_->socket_.driver());
    if (!socket) return sync::err(std::move(socket).error());
    return Accepted<TcpStream>{TcpStream(detail::StreamCore{std::move(*socket), peer_}), peer_};
}

}  // namespace weft::net
