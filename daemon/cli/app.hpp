// weftd's command line: parses argv with CLI11 and dispatches to a command.
#pragma once

namespace weft::cli {

// Returns the process exit code.
[[nodiscard]] int run_app(int argc, char** argv);

}  // namespace weft::cli
