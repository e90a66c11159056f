// "Did you mean ...?" for a mistyped command (`weftd stauts`), which CLI11 alone reports only as
// an unexpected argument.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace weft::cli {

// Follows argv's leading words down `app`'s subcommands (`plugin inspect ...`). If a word stands
// where a command must and names none, returns the one line to print: the word, the command it
// was given to, and the closest command if one is a plausible typo. Otherwise nothing (CLI11's
// own parsing reports any other error).
[[nodiscard]] std::optional<std::string> unknown_command_message(const CLI::App& app, int argc,
                                                                 const char* const* argv);

}  // namespace weft::cli
