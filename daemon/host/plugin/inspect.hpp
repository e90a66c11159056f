// What `weftd plugin inspect FILE` and `weftd check-config` ask of plugin files without running
// them: open the library, check its descriptor, and (check-config) run its validate hook on the
// config it would get. Neither calls init or creates a host.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/config/config.hpp"

namespace weft::host {

struct InspectResult {
    bool ok = false;
    // The descriptor, one "key: value" per line; or the loading error.
    std::string text;
};

[[nodiscard]] InspectResult inspect_plugin(const std::filesystem::path& path);

// Every problem of the config's enabled plugins, each as "/plugins/<i>...: ..." (file missing,
// not a plugin, ABI, validate's message), then every disagreement between the config and the
// plugins' manifests (host/plugin/manifest.hpp: jobs naming tasks a plugin does not register,
// channels opened with another kind or capacity). Empty when all load and agree.
[[nodiscard]] std::vector<std::string> validate_plugins(const Config& config,
                                                        const std::filesystem::path& plugin_dir);

}  // namespace weft::host
