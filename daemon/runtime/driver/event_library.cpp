#include "runtime/driver/event_library.hpp"

#include <uv.h>

namespace weft {

const char* event_library_version() noexcept { return uv_version_string(); }

}  // namespace weft
