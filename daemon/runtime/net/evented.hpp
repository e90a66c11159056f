// Evented: one non-blocking socket registered with its runtime's IoDriver (Tokio's
// PollEvented): the descriptor it owns, its readiness registration, and the driver, kept alive as
// long as the socket. poll_io() is the one loop every socket operation runs: wait for readiness,
// make the syscall on the calling thread, and on EAGAIN clear the readiness it used
// (io_driver.hpp, rules 2 and 3) and wait again, entering the socket in epoll at its first wait
// (rule 7).
//
// Dropping (or close()) deregisters and closes the descriptor. Move-only.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/net/io_driver.hpp"
#include "runtime/net/io_error.hpp"
#include "runtime/net/socket_addr.hpp"

namespace weft {
class Handle;
}

namespace weft::net::detail {

class Evented {
   public:
    Evented() noexcept = default;
    Evented(Evented&& other) noexcept
        : driver_(std::move(other.driver_)),
          io_(std::exchange(other.io_, nullptr)),
          fd_(std::exchange(other.fd_, -1)) {}
    Evented& operator=(Evented&& other) noexcept {
        if (this != &other) {
            close();
            driver_ = std::move(other.driver_);
            io_ = std::exchange(other.io_, nullptr);
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Evented() { close(); }

    // Registers `fd` (non-blocking; owned from now on: closed on failure too) with the current
    // runtime's driver, or with `driver` if given. `op` and `where` name the error
    // ("accept 127.0.0.1:80: ..."); the address is formatted only if there is one.
    [[nodiscard]] static IoResult<Evented> open(int fd, std::uint32_t initial, const char* op,
                                                const SocketAddr& where,
                                                std::shared_ptr<IoDriver> driver = nullptr);

    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] ScheduledIo* io() const noexcept { return io_; }
    [[nodiscard]] const std::shared_ptr<IoDriver>& driver() const noexcept { return driver_; }
    void close() noexcept;

    // One poll of an I/O operation in direction `d`: `syscall()` returns >= 0 on success or -1
    // with errno. False: pending (the waker is registered). True: done, with *result >= 0, or -1
    // and *error (an errno; kRuntimeShutdown when the runtime shut down). `stream_len`, for a
    // stream read or write of that many bytes (0 otherwise): a positive result below it clears
    // the readiness the syscall used (io_driver.hpp, rule 3b).
    template <class F>
    [[nodiscard]] bool poll_io(const Context& cx, Direction d, F&& syscall, ssize_t* result,
                               int* error, std::size_t stream_len = 0) noexcept {
        for (;;) {
            ReadyEvent ev;
            if (io_->poll_ready(cx, d, &ev) == ScheduledIo::Poll::pending) {
                if (ev.state & kRegistered) return false;
                // The first wait enters epoll, whose report wakes the waker just stored (rule 7).
                const int err = driver_->watch(*io_);
                if (err == 0) return false;
                *result = -1;
                *error = err;
                return true;
            }
            if (ev.is_shutdown()) {
                *result = -1;
                *error = kRuntimeShutdown;
                return true;
            }
            if (stream_len != 0 && (ev.state & kReadEof) && d == Direction::read) {
                *result = 0;  // rule 3c: the end was read already
                return true;
            }
            const ssize_t r = syscall();
            if (r >= 0) {
                if (r > 0 && static_cast<std::size_t>(r) < stream_len)
                    io_->note_short_transfer(d, ev);
                *result = r;
                return true;
            }
            const int e = errno;
            if (e == EAGAIN || e == EWOULDBLOCK) {
                io_->clear_readiness(d, ev);
                continue;
            }
            if (e == EINTR) continue;
            *result = -1;
            *error = e;
            return true;
        }
    }

   private:
    std::shared_ptr<IoDriver> driver_;
    ScheduledIo* io_ = nullptr;
    int fd_ = -1;
};

// The IoDriver of the runtime this thread runs a task of, or null outside one.
[[nodiscard]] std::shared_ptr<IoDriver> current_io_driver() noexcept;
// The IoDriver of `runtime` (for sockets made outside the runtime's threads), or the current
// one when `runtime` is null.
[[nodiscard]] std::shared_ptr<IoDriver> io_driver_of(const Handle* runtime) noexcept;

// socket(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; -1 and errno on failure.
[[nodiscard]] int open_socket(int family, int type) noexcept;

}  // namespace weft::net::detail
