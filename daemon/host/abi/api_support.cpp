#include "host/abi/api_support.hpp"

namespace weft::host {
namespace {
thread_local std::string t_last_error;
}

void set_last_error(std::string message) noexcept { t_last_error = std::move(message); }
void clear_last_error() noexcept { t_last_error.clear(); }
const char* last_error() noexcept { return t_last_error.c_str(); }

weft_status invalid(std::string message) noexcept {
    set_last_error(std::move(message));
    return WEFT_ERR_INVALID_ARGUMENT;
}

}  // namespace weft::host
