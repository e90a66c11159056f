// weft::net: asynchronous network I/O on the runtime (Tokio's `tokio::net`): TCP listeners and
// streams, UDP sockets, Unix-domain listeners and streams, and name resolution. Each header
// documents its type; io_driver.hpp how readiness reaches a waiting task.
#pragma once

#include "runtime/net/io_error.hpp"
#include "runtime/net/lookup_host.hpp"
#include "runtime/net/socket_addr.hpp"
#include "runtime/net/tcp_listener.hpp"
#include "runtime/net/tcp_stream.hpp"
#include "runtime/net/udp_socket.hpp"
#include "runtime/net/unix_stream.hpp"
