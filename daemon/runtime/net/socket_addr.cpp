#include "runtime/net/socket_addr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>

namespace weft::net {

SocketAddr::SocketAddr() noexcept : storage_{}, len_(0) { storage_.ss_family = AF_UNSPEC; }

SocketAddr::SocketAddr(const sockaddr* addr, socklen_t len) noexcept : storage_{}, len_(0) {
    if (!addr || len <= 0) {
        storage_.ss_family = AF_UNSPEC;
        return;
    }
    len_ = len > static_cast<socklen_t>(sizeof storage_) ? static_cast<socklen_t>(sizeof storage_)
                                                         : len;
    std::memcpy(&storage_, addr, static_cast<std::size_t>(len_));
}

std::optional<SocketAddr> SocketAddr::parse(std::string_view text) noexcept {
    std::string_view host;
    std::string_view port;
    bool v6 = false;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        v6 = true;
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
        return std::nullopt;
    char buf[INET6_ADDRSTRLEN + 1];
    if (host.empty() || host.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = '\0';
    if (v6) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(static_cast<std::uint16_t>(value));
        if (inet_pton(AF_INET6, buf, &a.sin6_addr) != 1) return std::nullopt;
        return SocketAddr(reinterpret_cast<const sockaddr*>(&a), sizeof a);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(value));
    if (inet_pton(AF_INET, buf, &a.sin_addr) != 1) return std::nullopt;
    return SocketAddr(reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

SocketAddr SocketAddr::localhost_v4(std::uint16_t port) noexcept {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return SocketAddr(reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

std::optional<SocketAddr> SocketAddr::unix_path(std::string_view path) noexcept {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof a.sun_path) return std::nullopt;
    std::memcpy(a.sun_path, path.data(), path.size());
    return SocketAddr(reinterpret_cast<const sockaddr*>(&a),
                      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1));
}

std::uint16_t SocketAddr::port() const noexcept {
    if (is_ipv4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (is_ipv6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    return 0;
}

SocketAddr SocketAddr::with_port(std::uint16_t port) const noexcept {
    SocketAddr copy = *this;
    if (is_ipv4()) reinterpret_cast<sockaddr_in*>(&copy.storage_)->sin_port = htons(port);
    if (is_ipv6()) reinterpret_cast<sockaddr_in6*>(&copy.storage_)->sin6_port = htons(port);
    return copy;
}

std::string SocketAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN + 1] = {};
    if (is_ipv4()) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
        return std::string(buf) + ":" + std::to_string(port());
    }
    if (is_ipv6()) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
        // Appended piece by piece: `"[" + std::string(buf) + ...` trips GCC 12's false -Wrestrict
        // at -O3 (GCC bug 105329).
        std::string text = "[";
        text += buf;
        text += "]:";
        text += std::to_string(port());
        return text;
    }
    if (is_unix()) {
        const auto* a = reinterpret_cast<const sockaddr_un*>(&storage_);
        const auto max = static_cast<std::size_t>(len_) > offsetof(sockaddr_un, sun_path)
                             ? static_cast<std::size_t>(len_) - offsetof(sockaddr_un, sun_path)
                             : 0;
        const std::string path(a->sun_path, strnlen(a->sun_path, max));
        return path.empty() ? "(unnamed)" : path;
    }
    return "(no address)";
}

bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept {
    return a.len_ == b.len_ &&
           std::memcmp(&a.storage_, &b.storage_, static_cast<std::size_t>(a.len_)) == 0;
}

}  // namespace weft::net
