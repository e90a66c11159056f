#include <fmt/core.h>
#include <uv.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "weft/version.hpp"

namespace weft::cli {

int version_command() {
    fmt::print("weftd {}\n", build_info::kVersion);
    fmt::print("git revision: {}\n", build_info::kGitRevision);
    // The libuv actually loaded, which may differ from the headers weftd was built with.
    fmt::print("libuv: {}\n", uv_version_string());
    return kExitOk;
}

}  // namespace weft::cli
