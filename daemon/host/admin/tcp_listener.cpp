#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "host/admin/listener.hpp"
#include "host/admin/os_error.hpp"

namespace weft::host::admin {
namespace {

constexpr int kBacklog = 64;

bool is_loopback(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    }
    return false;
}

struct AddrInfoFree {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};

}  // namespace

ListenResult listen_tcp(const TcpEndpoint& endpoint) {
    const std::string where = fmt::format("{}:{}", endpoint.host, endpoint.port);
    auto fail = [&](std::string_view what, const std::string& reason) {
        return ListenResult{std::nullopt,
                            fmt::format("admin endpoint tcp:{}: {}: {}", where, what, reason)};
    };
    // "[::1]" is written with brackets (for the port); getaddrinfo wants the bare address.
    std::string host = endpoint.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port = std::to_string(endpoint.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return fail("cannot resolve the address", ::gai_strerror(rc));
    const std::unique_ptr<addrinfo, AddrInfoFree> list(found);

    std::string last_error = "no loopback address";
    for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
        if (!is_loopback(a->ai_addr)) continue;  // serves internals without authentication
        UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
        if (!fd) {
            last_error = "cannot create a socket: " + os_error(errno);
            continue;
        }
        const int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
            last_error = "cannot bind: " + os_error(errno);
            continue;
        }
        if (::listen(fd.get(), kBacklog) != 0) {
            last_error = "cannot listen: " + os_error(errno);
            continue;
        }
        return ListenResult{Listener{std::move(fd), {}, "tcp:" + where}, {}};
    }
    return fail("cannot serve", last_error);
}

}  // namespace weft::host::admin
