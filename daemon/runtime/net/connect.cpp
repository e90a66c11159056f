#include "runtime/net/connect.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "runtime/time/time_handle.hpp"

namespace weft::net::detail {

bool ConnectCore::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    if (!started_) {
        started_ = true;
        const int fd = open_socket(addr_.family(), SOCK_STREAM);
        if (fd < 0) {
            error_ = errno;
            return true;
        }
        // connect before registering: epoll would report an unconnected socket as hung up.
        const bool now = ::connect(fd, addr_.raw(), addr_.len()) == 0;
        if (!now && errno != EINPROGRESS) {
            error_ = errno;
            ::close(fd);
            return true;
        }
        auto opened = Evented::open(fd, now ? (kReadable | kWritable) : 0, "connect", addr_);
        if (!opened) {
            error_ = opened.error().code();
            return true;
        }
        socket_ = std::move(*opened);
        if (now) return true;
    }
    if (error_ != 0 || !socket_.valid()) return true;
    ssize_t r = 0;
    int e = 0;
    const int fd = socket_.fd();
    if (socket_.poll_io(
            cx, Direction::write,
            [fd]() -> ssize_t {
                int err = 0;
                socklen_t len = sizeof err;
                if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -1;
                if (err != 0) {
                    errno = err;
                    return -1;
                }
                return 0;
            },
            &r, &e)) {
        if (r < 0) {
            error_ = e;
            socket_.close();
        }
        return true;
    }
    coop::refund();
    if (timeout_) {
        if (!sleep_) {
            time::detail::TimeHandle* h = time::detail::try_current_time_handle();
            if (!h) return false;
            sleep_.emplace(*h, time::detail::add_saturating(h->clock().now(), *timeout_));
        }
        if (sleep_->poll(cx)) {
            error_ = ETIMEDOUT;
            socket_.close();
            return true;
        }
    }
    return false;
}

IoResult<StreamCore> ConnectCore::take() {
    if (error_ != 0) return sync::err(IoError::from_errno(error_, "connect", addr_.to_string()));
    return StreamCore{std::move(socket_), addr_};
}

}  // namespace weft::net::detail
