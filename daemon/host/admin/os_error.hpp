// The OS's text for an errno value, thread-safe (std::strerror is not).
#pragma once

#include <string>
#include <system_error>

namespace weft::host::admin {

[[nodiscard]] inline std::string os_error(int error) {
    return std::error_code(error, std::generic_category()).message();
}

}  // namespace weft::host::admin
