// Where relative plugin paths from the config are looked up (DESIGN.md): --plugin-dir if given,
// else the build tree's plugin folder when weftd runs from its build tree (development), else the
// installed folder (/usr/lib/weft/plugins for a /usr install).
#pragma once

#include <filesystem>

#include "cli/options.hpp"

namespace weft::cli {

[[nodiscard]] std::filesystem::path resolve_plugin_dir(const ConfigOptions& options);

}  // namespace weft::cli
