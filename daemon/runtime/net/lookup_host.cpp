#include "runtime/net/lookup_host.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <memory>

#include "runtime/blocking/spawn_blocking.hpp"

namespace weft::net {
namespace {

struct Answer {
    int gai = 0;  // getaddrinfo's status
    int sys = 0;  // errno for EAI_SYSTEM
    std::vector<SocketAddr> addrs;
};

Answer resolve(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    Answer a;
    a.gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
    if (a.gai == EAI_SYSTEM) a.sys = errno;
    if (a.gai != 0) return a;
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(list, ::freeaddrinfo);
    for (addrinfo* p = list; p; p = p->ai_next) {
        SocketAddr addr(p->ai_addr, p->ai_addrlen);
        bool seen = false;
        for (const SocketAddr& x : a.addrs) seen = seen || x == addr;
        if (!seen) a.addrs.push_back(addr);
    }
    return a;
}

}  // namespace

Task<IoResult<std::vector<SocketAddr>>> lookup_host(std::string host_port) {
    if (auto numeric = SocketAddr::parse(host_port)) co_return std::vector<SocketAddr>{*numeric};
    std::string host;
    std::string port;
    if (!host_port.empty() && host_port.front() == '[') {
        const auto close = host_port.find("]:");
        if (close != std::string::npos) {
            host = host_port.substr(1, close - 1);
            port = host_port.substr(close + 2);
        }
    } else if (const auto colon = host_port.rfind(':'); colon != std::string::npos) {
        host = host_port.substr(0, colon);
        port = host_port.substr(colon + 1);
    }
    if (host.empty() || port.empty())
        co_return sync::err(IoError(EINVAL, "lookup " + host_port + ": expected host:port"));
    auto pending = spawn_blocking([host, port] { return resolve(host, port); });
    Answer a = co_await pending;
    if (a.gai == EAI_SYSTEM) co_return sync::err(IoError::from_errno(a.sys, "lookup", host_port));
    if (a.gai != 0) {
        std::string reason = ::gai_strerror(a.gai);
        if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z') reason[0] += 'a' - 'A';
        co_return sync::err(IoError(kNotResolved, "lookup " + host_port + ": " + reason));
    }
    if (a.addrs.empty())
        co_return sync::err(IoError(kNotResolved, "lookup " + host_port + ": no address"));
    co_return std::move(a.addrs);
}

}  // namespace weft::net
