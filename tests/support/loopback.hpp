// Loopback TCP for tests: a listener on 127.0.0.1 for the code under test to connect to, a
// blocking connect to it, and the port a daemon's log line names.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

namespace weft::test {

// A listening TCP socket on 127.0.0.1, on a port of the system's choosing, closed with the object.
// The kernel completes connections up to the backlog whether or not anyone accepts them.
class LoopbackListener {
   public:
    explicit LoopbackListener(int backlog = 16) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(fd_, backlog) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            const int error = errno;
            ::close(fd_);
            throw std::system_error(error, std::generic_category(), "listen on 127.0.0.1");
        }
        port_ = ntohs(a.sin_port);
    }
    ~LoopbackListener() { ::close(fd_); }
    LoopbackListener(const LoopbackListener&) = delete;
    LoopbackListener& operator=(const LoopbackListener&) = delete;

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] int port() const noexcept { return port_; }

   private:
    int fd_ = -1;
    int port_ = 0;
};

// A blocking connection to 127.0.0.1:port: its descriptor (the caller closes it), or -1.
inline int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The port in a log's "tcp-ingest: listening on 127.0.0.1:PORT", or -1 if it has no such line.
inline int ingest_port(std::string_view log) {
    static constexpr std::string_view kBefore = "tcp-ingest: listening on 127.0.0.1:";
    const auto at = log.find(kBefore);
    if (at == std::string_view::npos) return -1;
    return std::atoi(std::string(log.substr(at + kBefore.size(), 8)).c_str());
}

}  // namespace weft::test
