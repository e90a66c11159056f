// Calling a plugin hook: an error buffer for its message, and a catch-all so that neither an
// error return nor an exception (a C++ plugin without the SDK may throw through the C ABI)
// escapes into the host; and call_hook_within, which also bounds how long the host waits.
#pragma once

#include <array>
#include <chrono>
#include <exception>
#include <functional>
#include <string>

#include "host/crash/crash_site.hpp"

#include "weft/plugin.h"

namespace weft::host {

struct HookResult {
    weft_status status = WEFT_OK;
    std::string message;  // the plugin's message, or a description of what went wrong
    // The hook did not return in time and still runs on a thread of its own (call_hook_within).
    bool abandoned = false;
    [[nodiscard]] bool ok() const noexcept { return status == WEFT_OK; }
};

// `hook(char* error, size_t error_size)` returns a weft_status.
template <class Hook>
[[nodiscard]] HookResult call_hook(Hook&& hook) noexcept {
    std::array<char, 1024> error{};
    HookResult result;
    try {
        result.status = hook(error.data(), error.size());
        error.back() = '\0';  // a plugin that ignored the size still gets a terminated string
        if (result.status == WEFT_OK) return result;
        if (result.status == WEFT_PENDING) result.status = WEFT_ERR_PLUGIN;  // not a hook result
        result.message = error[0] != '\0' ? std::string(error.data())
                                          : std::string("(the plugin gave no message)");
        result.message += " [" + std::string(weft_status_str(result.status)) + "]";
    } catch (const std::exception& e) {
        result.status = WEFT_ERR_PLUGIN;
        try {
            result.message = std::string("threw an exception: ") + e.what();
        } catch (...) {
        }
    } catch (...) {
        result.status = WEFT_ERR_PLUGIN;
        try {
            result.message = "threw an exception that is not a std::exception";
        } catch (...) {
        }
    }
    return result;
}

using HookFunction = std::function<weft_status(char* error, std::size_t error_size)>;

// Runs `hook` (through call_hook) on a thread of its own, inside a CrashScope naming `plugin` and
// `activity` ("hook stop"), and waits for it up to `timeout`. When it returns in time, its result.
// Otherwise the thread is left running (detached) and the result is WEFT_ERR_TIMED_OUT with
// `abandoned` set: the caller must then never call the plugin's destroy nor unload it, and
// `hook` must own (or point at objects that live as long as the plugin's code may run)
// everything it touches, since it outlives this call. `plugin` must live as long too.
// If no thread can be created the hook runs on the calling thread, without a deadline.
[[nodiscard]] HookResult call_hook_within(std::chrono::milliseconds timeout,
                                          const CrashIdentity& plugin, const char* activity,
                                          const void* code, HookFunction hook);

}  // namespace weft::host
