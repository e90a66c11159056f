// The one judgement of a config file that `weftd check-config` prints and a live reload acts on:
// the file read, parsed and validated with the environment's overrides (host/config/config.hpp),
// then every enabled plugin loaded without running it, its manifest checked against the config
// and its validate hook given its `config` (host/plugin/inspect.hpp). Sharing it means a file
// check-config calls valid is exactly a file a reload applies.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"

namespace weft::host {

struct ConfigCheck {
    std::optional<Config> config;  // set exactly when `errors` is empty
    // Each prefixed with the file as given ("weftd.json: /plugins/0/config: rejected by ...") or
    // with "environment:" for an override; at most the config loader's limit of them, then a line
    // saying how many more there were.
    std::vector<std::string> errors;
    // Every error, listed or not (host/config/error_count.hpp), and how many of them are the
    // environment's.
    std::size_t count = 0;
    std::size_t from_environment = 0;
    [[nodiscard]] bool ok() const noexcept { return config.has_value(); }
};

// Loads plugin libraries and runs validate hooks (each under shutdown.hook_timeout_ms): call it
// from a thread that may block that long, never from a runtime task. Never throws but for
// std::bad_alloc.
[[nodiscard]] ConfigCheck check_config_file(const std::filesystem::path& file,
                                            const std::filesystem::path& plugin_dir);

}  // namespace weft::host
