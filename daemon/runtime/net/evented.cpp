#include "runtime/net/evented.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "runtime/context/thread_context.hpp"
#include "runtime/handle.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::net {

IoError IoError::from_errno(int code, const char* op, const std::string& where) {
    std::string reason;
    if (code == kRuntimeShutdown) {
        reason = "the runtime is shut down";
    } else {
        char buf[256];
        reason = strerror_r(code, buf, sizeof buf);
        if (!reason.empty())
            reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    }
    std::string message = op;
    if (!where.empty()) message += " " + where;
    return IoError(code, message + ": " + reason);
}

namespace detail {

std::shared_ptr<IoDriver> current_io_driver() noexcept {
    weft::detail::SchedulerHandle* s = weft::detail::tls().scheduler;
    return s ? s->driver().io() : nullptr;
}

std::shared_ptr<IoDriver> io_driver_of(const Handle* runtime) noexcept {
    if (!runtime) return current_io_driver();
    return weft::detail::scheduler_of(*runtime).driver().io();
}

int open_socket(int family, int type) noexcept {
    return ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

IoResult<Evented> Evented::open(int fd, std::uint32_t initial, const char* op,
                                const SocketAddr& where, std::shared_ptr<IoDriver> driver) {
    if (!driver) driver = current_io_driver();
    if (!driver) {
        ::close(fd);
        return sync::err(IoError(
            EINVAL, std::string(op) + " " + where.to_string() + ": called outside a weft runtime"));
    }
    ScheduledIo* io = driver->add(fd, initial);
    if (!io) {
        const int e = errno;
        ::close(fd);
        return sync::err(IoError::from_errno(e, op, where.to_string()));
    }
    Evented ev;
    ev.driver_ = std::move(driver);
    ev.io_ = io;
    ev.fd_ = fd;
    return ev;
}

void Evented::close() noexcept {
    if (fd_ < 0) return;
    if (driver_) driver_->remove(io_);
    ::close(fd_);
    fd_ = -1;
    io_ = nullptr;
    driver_.reset();
}

}  // namespace detail
}  // namespace weft::net
