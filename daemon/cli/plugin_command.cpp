// `weftd plugin inspect FILE`: loads a plugin file and prints its descriptor (name, version, ABI,
// hooks) without running it, or the reason it cannot be loaded.
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "host/plugin/inspect.hpp"

namespace weft::cli {

int plugin_inspect_command(const std::filesystem::path& file) {
    const host::InspectResult result = host::inspect_plugin(file);
    if (!result.ok) {
        fmt::print(stderr, "{}\n", result.text);
        return kExitRuntimeFailure;
    }
    fmt::print("{}", result.text);
    return kExitOk;
}

}  // namespace weft::cli
