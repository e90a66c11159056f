#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "runtime/driver/event_library.hpp"
#include "weft/version.hpp"

namespace weft::cli {

int version_command() {
    fmt::print("weftd {}\n", build_info::kVersion);
    fmt::print("git revision: {}\n", build_info::kGitRevision);
    fmt::print("libuv: {}\n", event_library_version());
    return kExitOk;
}

}  // namespace weft::cli
