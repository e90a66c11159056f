// The runtime weftd runs, built from the config's `runtime` section.
#pragma once

#include "host/config/config.hpp"
#include "runtime/runtime.hpp"

namespace weft::cli {

// Throws weft::BuildError for a setting the runtime refuses (the config loader already checked
// ranges, so this is a bug or a machine limit).
[[nodiscard]] Runtime build_runtime(const host::RuntimeConfig& config);

}  // namespace weft::cli
