// The host's side of the opaque types plugin.h declares.
//
// Every object handed to a plugin starts with the function table pointer (plugin.h's
// weft_object_header), so that the plugin's inline weft_* functions find the table from any
// handle. Each C struct below is that header alone; the host's classes derive from it and
// convert with static_cast (well defined for a non-virtual base, wherever the compiler puts it),
// so the host never relies on a derived class's layout.
#pragma once

#include "weft/plugin.h"

struct weft_host {
    const weft_host_api* api;
};
struct weft_context {
    const weft_host_api* api;
};
struct weft_op {
    const weft_host_api* api;
};
struct weft_waker {
    const weft_host_api* api;
};
struct weft_channel {
    const weft_host_api* api;
};
struct weft_notify {
    const weft_host_api* api;
};
struct weft_semaphore {
    const weft_host_api* api;
};
struct weft_task {
    const weft_host_api* api;
};
struct weft_blocking {
    const weft_host_api* api;
};
struct weft_listener {
    const weft_host_api* api;
};
struct weft_stream {
    const weft_host_api* api;
};
struct weft_udp {
    const weft_host_api* api;
};
struct weft_pool {
    const weft_host_api* api;
};

namespace weft::host {

// The table every object points to (host_api.cpp).
[[nodiscard]] const weft_host_api& host_api() noexcept;

}  // namespace weft::host
