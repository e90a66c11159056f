// IoError and IoResult<T>: how weft::net reports failure, as Tokio's `io::Result`.
//
// An IoError carries the errno and says what failed and where:
//     "connect 127.0.0.1:6379: connection refused"
//     "read 10.0.0.7:443: connection reset by peer"
// Errors are values (weft::sync::Result), not exceptions: a refused connect or a reset peer is an
// ordinary outcome of network code. IoResult::value() throws weft::sync::ResultError carrying
// the same message, for code that prefers exceptions.
#pragma once

#include <cerrno>
#include <string>
#include <utility>

#include "runtime/sync/result.hpp"

namespace weft::net {

// The errno weft::net uses when the runtime shut down under a socket.
inline constexpr int kRuntimeShutdown = ESHUTDOWN;
// The errno of a name lookup_host could not resolve.
inline constexpr int kNotResolved = ENXIO;

class IoError {
   public:
    IoError(int code, std::string message) noexcept : code_(code), message_(std::move(message)) {}
    // "<op> <where>: <strerror(code), lower case>", e.g. "connect 127.0.0.1:1: connection refused".
    [[nodiscard]] static IoError from_errno(int code, const char* op, const std::string& where);

    [[nodiscard]] int code() const noexcept { return code_; }  // an errno value
    [[nodiscard]] const char* what() const noexcept { return message_.c_str(); }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

    [[nodiscard]] bool is_connection_refused() const noexcept { return code_ == ECONNREFUSED; }
    [[nodiscard]] bool is_connection_reset() const noexcept { return code_ == ECONNRESET; }
    [[nodiscard]] bool is_timed_out() const noexcept { return code_ == ETIMEDOUT; }
    [[nodiscard]] bool is_shutdown() const noexcept { return code_ == kRuntimeShutdown; }
    [[nodiscard]] bool is_not_resolved() const noexcept { return code_ == kNotResolved; }

   private:
    int code_;
    std::string message_;
};

template <class T>
using IoResult = sync::Result<T, IoError>;

}  // namespace weft::net
