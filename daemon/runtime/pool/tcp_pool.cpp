#include "runtime/pool/tcp_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "runtime/net/lookup_host.hpp"

namespace weft::pool {
namespace {

Task<sync::Result<net::TcpStream, std::string>> connect_to(std::string address,
                                                           std::optional<time::Duration> timeout) {
    std::vector<net::SocketAddr> targets;
    if (auto numeric = net::SocketAddr::parse(address)) {
        targets.push_back(*numeric);
    } else {
        auto found = co_await net::lookup_host(address);
        if (!found) co_return sync::err(std::string(found.error().what()));
        targets = std::move(*found);
    }
    std::string last = "connect " + address + ": no address";
    for (const net::SocketAddr& a : targets) {
        auto s = co_await net::TcpStream::connect(a, timeout);
        if (s) {
            (void)s->set_nodelay(true);
            co_return std::move(*s);
        }
        last = s.error().what();
    }
    co_return sync::err(std::move(last));
}

}  // namespace

bool tcp_connection_unusable(const net::TcpStream& stream) noexcept {
    if (!stream.valid()) return true;
    char byte = 0;
    const ssize_t n = ::recv(stream.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return true;   // unread bytes: the next user would read someone else's reply
    if (n == 0) return true;  // the peer closed its side
    return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

std::shared_ptr<TcpPool> make_tcp_pool(PoolConfig config, TcpPoolOptions options) {
    return make_tcp_pool(std::move(config), std::move(options), Handle::current());
}

std::shared_ptr<TcpPool> make_tcp_pool(PoolConfig config, TcpPoolOptions options, Handle runtime) {
    Manager<net::TcpStream> m;
    m.create = [address = options.address, timeout = options.connect_timeout] {
        return connect_to(address, timeout);
    };
    m.is_broken = [](net::TcpStream& s) { return tcp_connection_unusable(s); };
    m.log = std::move(options.log);
    return TcpPool::create(std::move(config), std::move(m), std::move(runtime));
}

}  // namespace weft::pool
