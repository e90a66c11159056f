// Streams handed to a plugin by other parts of the host (the pools, api_pools.cpp): a TCP stream
// wrapped as the plugin's weft_stream (api_net.cpp's handle, so every 6.12 call works on it), and
// the stream taken back out when the plugin gives it back.
#pragma once

#include "host/abi/abi_objects.hpp"
#include "runtime/net/tcp_stream.hpp"

namespace weft::host {

class PluginInstance;

// A new weft_stream owning `stream`, registered with the plugin's open handles.
[[nodiscard]] weft_stream* adopt_tcp_stream(PluginInstance& plugin, net::TcpStream stream);
// Takes the TCP stream out of `handle` (an invalid stream if it held a Unix one) and deletes
// the handle.
[[nodiscard]] net::TcpStream reclaim_tcp_stream(weft_stream* handle) noexcept;

}  // namespace weft::host
