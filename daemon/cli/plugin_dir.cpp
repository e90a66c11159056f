#include "cli/plugin_dir.hpp"

#include <system_error>

#include "weft/version.hpp"

namespace weft::cli {

std::filesystem::path resolve_plugin_dir(const ConfigOptions& options) {
    if (!options.plugin_dir.empty()) return options.plugin_dir;
    // The build puts weftd in <build>/daemon/ and plugins in <build>/plugins/.
    std::error_code error;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path build_dir(build_info::kBuildPluginDir);
    if (!error && exe.parent_path().parent_path() == build_dir.parent_path()) return build_dir;
    return std::filesystem::path(build_info::kInstallPluginDir);
}

}  // namespace weft::cli
