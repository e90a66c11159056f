// weft::Error: a failed host call as a C++ exception, carrying its weft_status.
//
// The SDK throws Error where the C ABI returns an error status (and the caller has no ordinary
// way to handle it); the hooks and tasks the SDK generates catch every exception at the ABI
// boundary and turn it back into a status and a log line. Outcomes that are part of normal use
// are values instead: a closed channel is an empty optional, a full one `false`.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "weft/plugin.h"

namespace weft {
inline namespace sdk {

class Error : public std::runtime_error {
   public:
    Error(weft_status status, const std::string& what)
        : std::runtime_error(what + " (" + weft_status_str(status) + ")"), status_(status) {}
    [[nodiscard]] weft_status status() const noexcept { return status_; }

   private:
    weft_status status_;
};

// A broadcast receiver fell behind: `skipped()` messages were lost to it. Receiving again
// resumes at the oldest message the channel still holds.
class Lagged : public Error {
   public:
    explicit Lagged(std::uint64_t skipped)
        : Error(WEFT_ERR_LAGGED,
                "receiver lagged behind by " + std::to_string(skipped) + " messages"),
          skipped_(skipped) {}
    [[nodiscard]] std::uint64_t skipped() const noexcept { return skipped_; }

   private:
    std::uint64_t skipped_;
};

// An mpsc or mpmc channel's receivers all closed their handles (plugin.h 6.7, ABI 1.2): the
// message was not accepted. Sending again succeeds once a receiver opens the channel again.
class NoReceiver : public Error {
   public:
    explicit NoReceiver(const std::string& what) : Error(WEFT_ERR_NO_RECEIVER, what) {}
};

namespace detail {

// Throws Error(status, what + the host's last error) unless status is WEFT_OK.
inline void check(weft_status status, const char* what, const weft_host_api* api) {
    if (status == WEFT_OK) return;
    std::string message = what;
    if (api && api->last_error) {
        const char* detail = api->last_error();
        if (detail && *detail) message += std::string(": ") + detail;
    }
    throw Error(status, message);
}

}  // namespace detail
}  // namespace sdk
}  // namespace weft
