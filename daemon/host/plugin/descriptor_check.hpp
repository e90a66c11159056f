// The checks of a plugin's descriptor, apart from loading the library: what open_plugin_library()
// asks of the descriptor its entry function returned, as a pure function of the descriptor (so a
// fuzzer and the tests can hand it any bytes).
//
// In order: not NULL; `size` large enough to hold the ABI fields (they sit right after `size` in
// every ABI version, so they are read before the size is judged: a descriptor of another major
// may have any size); the ABI (check_abi in library.hpp); `size` at least kMinDescriptorSize;
// then the name (not empty), the version and the init hook. The first failure is returned as one
// sentence naming the file, what is wrong and what to do; empty when the host accepts it.
//
// The descriptor must be readable for min(size, sizeof(weft_plugin_descriptor)) bytes and its
// strings NUL-terminated, as plugin.h requires of a plugin. Thread-safety: a pure function.
#pragma once

#include <filesystem>
#include <string>

#include "weft/plugin.h"

namespace weft::host {

[[nodiscard]] std::string check_descriptor(const std::filesystem::path& path,
                                           const weft_plugin_descriptor* descriptor);

}  // namespace weft::host
