// Calling a plugin hook: an error buffer for its message, and a catch-all so that neither an
// error return nor an exception (a C++ plugin without the SDK may throw through the C ABI)
// escapes into the host.
#pragma once

#include <array>
#include <exception>
#include <string>

#include "weft/plugin.h"

namespace weft::host {

struct HookResult {
    weft_status status = WEFT_OK;
    std::string message;  // the plugin's message, or a description of what went wrong
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

}  // namespace weft::host
