// weft::net::lookup_host: resolve "host:port" to socket addresses (Tokio's `net::lookup_host`).
//
//   auto addrs = co_await weft::net::lookup_host("localhost:6379");
//   if (!addrs) log(addrs.error().what());  // "lookup nosuch.invalid:1: name or service unknown"
//
// getaddrinfo runs on the runtime's blocking pool (it may block on DNS for seconds); the task
// waits without holding a worker. A numeric address ("127.0.0.1:80", "[::1]:80") is answered at
// once without the pool. The addresses come in getaddrinfo's order, without duplicates, stream
// sockets only. Dropping the awaiting task abandons the answer (the lookup runs to its end on the
// pool). Throws std::logic_error outside a runtime.
#pragma once

#include <string>
#include <vector>

#include "runtime/net/io_error.hpp"
#include "runtime/net/socket_addr.hpp"
#include "runtime/task/task.hpp"

namespace weft::net {

[[nodiscard]] Task<IoResult<std::vector<SocketAddr>>> lookup_host(std::string host_port);

}  // namespace weft::net
