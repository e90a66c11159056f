// The byte-stream operations TcpStream and UnixStream share: read, write, read_exact, write_all,
// each a leaf awaitable over the stream's Evented socket (no allocation, no task of its own).
//
//   read       completes with the bytes available (at least 1), 0 at end of stream.
//              Cancel-safe: a read dropped before it completed took no bytes from the socket
//              (the syscall runs only in the poll that completes it).
//   write      completes with how many bytes the kernel took (at least 1). Cancel-safe: a write
//              dropped before it completed wrote nothing.
//   read_exact fills the whole buffer, or fails ("unexpected end of file" at an early EOF).
//              Not cancel-safe: bytes read before it was dropped are in the buffer, lost to the
//              next read (as Tokio's read_exact).
//   write_all  writes the whole buffer. Not cancel-safe: a dropped write_all may have written a
//              prefix of it (as Tokio's write_all).
// Each poll spends one unit of coop budget (given back when it finds the socket not ready), so a
// task looping over a fast socket still lets others run. At most one task reads and one task
// writes a stream at a time.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>

#include "runtime/coop/budget.hpp"
#include "runtime/net/evented.hpp"
#include "runtime/net/socket_addr.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::net {

// errno of read_exact's early end of stream.
inline constexpr int kUnexpectedEof = ENODATA;

namespace detail {

// What a stream is: its socket and the peer's address (for error messages).
struct StreamCore {
    Evented socket;
    SocketAddr peer;
};

[[nodiscard]] inline IoError stream_error(int code, const char* op, const StreamCore& s) {
    if (code == kUnexpectedEof)
        return IoError(code,
                       std::string(op) + " " + s.peer.to_string() + ": unexpected end of file");
    return IoError::from_errno(code, op, s.peer.to_string());
}

}  // namespace detail

class [[nodiscard]] Read : public Pollable<Read> {
   public:
    Read(detail::StreamCore& s, void* data, std::size_t len) noexcept
        : s_(&s), data_(static_cast<char*>(data)), len_(len) {}
    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        if (len_ == 0) return true;
        if (s_->socket.poll_io(
                cx, detail::Direction::read,
                [&] { return ::recv(s_->socket.fd(), data_, len_, 0); }, &n_, &error_, len_))
            return true;
        coop::refund();
        return false;
    }
    // The byte count (0: end of stream), or the error.
    IoResult<std::size_t> await_resume() const {
        if (n_ < 0) return sync::err(detail::stream_error(error_, "read", *s_));
        return static_cast<std::size_t>(n_);
    }

   private:
    detail::StreamCore* s_;
    char* data_;
    std::size_t len_;
    ssize_t n_ = 0;
    int error_ = 0;
};

class [[nodiscard]] Write : public Pollable<Write> {
   public:
    Write(detail::StreamCore& s, const void* data, std::size_t len) noexcept
        : s_(&s), data_(static_cast<const char*>(data)), len_(len) {}
    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        if (len_ == 0) return true;
        if (s_->socket.poll_io(
                cx, detail::Direction::write,
                [&] { return ::send(s_->socket.fd(), data_, len_, MSG_NOSIGNAL); }, &n_, &error_,
                len_))
            return true;
        coop::refund();
        return false;
    }
    IoResult<std::size_t> await_resume() const {
        if (n_ < 0) return sync::err(detail::stream_error(error_, "write", *s_));
        return static_cast<std::size_t>(n_);
    }

   private:
    detail::StreamCore* s_;
    const char* data_;
    std::size_t len_;
    ssize_t n_ = 0;
    int error_ = 0;
};

class [[nodiscard]] ReadExact : public Pollable<ReadExact> {
   public:
    ReadExact(detail::StreamCore& s, void* data, std::size_t len) noexcept
        : s_(&s), data_(static_cast<char*>(data)), len_(len) {}
    bool poll(Context& cx) noexcept {
        while (done_ < len_ && error_ == 0) {
            if (!coop::poll_proceed(cx)) return false;
            ssize_t n = 0;
            if (!s_->socket.poll_io(
                    cx, detail::Direction::read,
                    [&] { return ::recv(s_->socket.fd(), data_ + done_, len_ - done_, 0); }, &n,
                    &error_, len_ - done_)) {
                coop::refund();
                return false;
            }
            if (n == 0) error_ = kUnexpectedEof;
            if (n > 0) done_ += static_cast<std::size_t>(n);
        }
        return true;
    }
    IoResult<void> await_resume() const {
        if (error_ != 0) return sync::err(detail::stream_error(error_, "read_exact", *s_));
        return {};
    }

   private:
    detail::StreamCore* s_;
    char* data_;
    std::size_t len_;
    std::size_t done_ = 0;
    int error_ = 0;
};

class [[nodiscard]] WriteAll : public Pollable<WriteAll> {
   public:
    WriteAll(detail::StreamCore& s, const void* data, std::size_t len) noexcept
        : s_(&s), data_(static_cast<const char*>(data)), len_(len) {}
    bool poll(Context& cx) noexcept {
        while (done_ < len_ && error_ == 0) {
            if (!coop::poll_proceed(cx)) return false;
            ssize_t n = 0;
            if (!s_->socket.poll_io(
                    cx, detail::Direction::write,
                    [&] {
                        return ::send(s_->socket.fd(), data_ + done_, len_ - done_, MSG_NOSIGNAL);
                    },
                    &n, &error_, len_ - done_)) {
                coop::refund();
                return false;
            }
            if (n > 0) done_ += static_cast<std::size_t>(n);
        }
        return true;
    }
    IoResult<void> await_resume() const {
        if (error_ != 0) return sync::err(detail::stream_error(error_, "write_all", *s_));
        return {};
    }
    // Bytes written so far (all of them once complete).
    [[nodiscard]] std::size_t written() const noexcept { return done_; }

   private:
    detail::StreamCore* s_;
    const char* data_;
    std::size_t len_;
    std::size_t done_ = 0;
    int error_ = 0;
};

}  // namespace weft::net
