#include "host/daemon/config_check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "host/config/error_count.hpp"
#include "host/plugin/inspect.hpp"

namespace weft::host {

ConfigCheck check_config_file(const std::filesystem::path& file,
                              const std::filesystem::path& plugin_dir) {
    ConfigCheck check;
    ConfigResult loaded = load_config(file);
    if (!loaded.ok()) {
        check.count = count_errors(loaded);
        check.from_environment = static_cast<std::size_t>(
            std::count_if(loaded.errors.begin(), loaded.errors.end(),
                          [](const std::string& e) { return e.starts_with("environment: "); }));
        check.errors = std::move(loaded.errors);
        return check;
    }
    // validate_plugins names JSON paths only; the loader's errors already start with the file.
    for (const std::string& error : validate_plugins(*loaded.config, plugin_dir))
        check.errors.push_back(fmt::format("{}: {}", file.string(), error));
    check.count = check.errors.size();
    if (check.errors.empty()) check.config = std::move(loaded.config);
    return check;
}

}  // namespace weft::host
