// SocketAddr: an IPv4, IPv6 or Unix-domain socket address (Rust's `SocketAddr`, plus the Unix
// path that Tokio keeps in its own type).
//
//   auto a = weft::net::SocketAddr::parse("127.0.0.1:6379");   // std::nullopt if malformed
//   auto b = weft::net::SocketAddr::parse("[::1]:8080");
//   auto u = weft::net::SocketAddr::unix_path("/run/app.sock");
//   a->to_string();  // "127.0.0.1:6379"
//
// parse() takes numeric addresses only (no name lookup: see lookup_host). A value type, cheap to
// copy (a sockaddr_storage).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::net {

class SocketAddr {
   public:
    SocketAddr() noexcept;
    // Copies `len` bytes of `addr` (at most sizeof(sockaddr_storage)).
    SocketAddr(const sockaddr* addr, socklen_t len) noexcept;

    // "a.b.c.d:port" or "[v6]:port"; nullopt when malformed or the port is out of range.
    [[nodiscard]] static std::optional<SocketAddr> parse(std::string_view text) noexcept;
    // 127.0.0.1:port
    [[nodiscard]] static SocketAddr localhost_v4(std::uint16_t port) noexcept;
    // A Unix-domain address; nullopt if the path does not fit sun_path.
    [[nodiscard]] static std::optional<SocketAddr> unix_path(std::string_view path) noexcept;

    [[nodiscard]] int family() const noexcept { return storage_.ss_family; }
    [[nodiscard]] bool is_ipv4() const noexcept { return family() == AF_INET; }
    [[nodiscard]] bool is_ipv6() const noexcept { return family() == AF_INET6; }
    [[nodiscard]] bool is_unix() const noexcept { return family() == AF_UNIX; }
    // The port (0 for a Unix address).
    [[nodiscard]] std::uint16_t port() const noexcept;
    // A copy with another port (IP addresses only).
    [[nodiscard]] SocketAddr with_port(std::uint16_t port) const noexcept;
    // "127.0.0.1:80", "[::1]:80", the path of a Unix address ("(unnamed)" for an unbound one).
    [[nodiscard]] std::string to_string() const;

    [[nodiscard]] const sockaddr* raw() const noexcept {
        return reinterpret_cast<const sockaddr*>(&storage_);
    }
    [[nodiscard]] socklen_t len() const noexcept { return len_; }

    friend bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept;

   private:
    sockaddr_storage storage_;
    socklen_t len_;
};

}  // namespace weft::net
