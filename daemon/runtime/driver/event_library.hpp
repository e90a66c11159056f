// The event library under the runtime's driver, named for `weftd version`, so that nothing above
// the runtime includes libuv.
#pragma once

namespace weft {

// The version of the libuv actually loaded ("1.44.2"), which may differ from the headers the
// runtime was built with. Any thread.
[[nodiscard]] const char* event_library_version() noexcept;

}  // namespace weft
