#include "runtime/net/unix_stream.hpp"

#include <unistd.h>

#include <string>

namespace weft::net {

UnixStream::Connect UnixStream::connect(std::string_view path,
                                        std::optional<time::Duration> timeout) {
    // An unusable path leaves an AF_UNSPEC address: socket() then fails with a clear errno.
    return Connect(SocketAddr::unix_path(path).value_or(SocketAddr()), timeout);
}

IoResult<UnixStream> UnixStream::Connect::await_resume() {
    auto core = core_.take();
    if (!core) return sync::err(std::move(core).error());
    return UnixStream(std::move(*core));
}

IoResult<UnixListener> UnixListener::bind(std::string_view path, int backlog,
                                          const Handle* runtime) {
    auto addr = SocketAddr::unix_path(path);
    if (!addr)
        return sync::err(
            IoError(ENAMETOOLONG, "bind " + std::string(path) + ": not a usable Unix socket path"));
    auto socket = detail::listen_on(*addr, backlog, false, runtime);
    if (!socket) return sync::err(std::move(socket).error());
    UnixListener l;
    l.socket_ = std::move(*socket);
    l.local_ = *addr;
    return l;
}

UnixListener::Accept::~Accept() {
    if (fd_ >= 0) ::close(fd_);
}

bool UnixListener::Accept::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    if (detail::poll_accept(l_->socket_, cx, &fd_, &error_, &peer_)) return true;
    coop::refund();
    return false;
}

IoResult<Accepted<UnixStream>> UnixListener::Accept::await_resume() {
    if (fd_ < 0) return sync::err(IoError::from_errno(error_, "accept", l_->local_.to_string()));
    auto socket =
        detail::Evented::open(std::exchange(fd_, -1), detail::kReadable | detail::kWritable,
                              "accept", l_->local_, l_->socket_.driver());
    if (!socket) return sync::err(std::move(socket).error());
    return Accepted<UnixStream>{UnixStream(detail::StreamCore{std::move(*socket), peer_}), peer_};
}

}  // namespace weft::net
