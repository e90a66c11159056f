// weft::pool::TcpPool: a Pool of connected weft::net::TcpStream to one address.
//
//   auto cache = pool::make_tcp_pool(config, {.address = "127.0.0.1:6379"});
//   auto conn = co_await cache->acquire();      // a connected stream, or why not
//   if (!conn) co_return log(conn.error().what());
//   auto w = co_await (*conn)->write_all(req.data(), req.size());
//   if (!w) conn->mark_broken();                 // never handed out again
//
// Creating connects (a "host:port" is resolved first, each address tried in turn), bounded by
// connect_timeout. A connection is checked without blocking (a peek at the socket) when it is
// given back and when it is taken from the idle set: one the peer closed or reset, one the
// runtime closed at shutdown, or one with unread bytes left in it (a reply nobody read would be
// read by the next user) is closed as broken instead of being handed out. TCP_NODELAY is set on
// every connection (pooled connections carry request/reply traffic).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runtime/net/tcp_stream.hpp"
#include "runtime/pool/pool.hpp"

namespace weft::pool {

using TcpPool = Pool<net::TcpStream>;

struct TcpPoolOptions {
    std::string address{};  // "10.0.0.7:6379", "[::1]:80" or "cache.internal:6379"
    std::optional<time::Duration> connect_timeout{};
    // As Manager::log (create failures, once per burst).
    std::function<void(bool warning, const std::string& message)> log{};
};

// Whether a connection cannot be reused: closed, reset, shut down by the peer or holding unread
// bytes. Never blocks.
[[nodiscard]] bool tcp_connection_unusable(const net::TcpStream& stream) noexcept;

// Makes the pool on the current runtime, or on `runtime` (see Pool::create for what it throws).
[[nodiscard]] std::shared_ptr<TcpPool> make_tcp_pool(PoolConfig config, TcpPoolOptions options);
[[nodiscard]] std::shared_ptr<TcpPool> make_tcp_pool(PoolConfig config, TcpPoolOptions options,
                                                     Handle runtime);

}  // namespace weft::pool
