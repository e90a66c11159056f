// Counting a config's errors when not all of them are listed.
//
// parse_config() and load_config() list at most Diagnostics::kMaxListed errors of the file (and
// as many of the environment): absurd input such as thousands of unknown keys must not cost
// minutes or flood a terminal. When errors were left out, the listing (ConfigResult::errors) ends
// with one line made by unlisted_errors_line(), "<origin>: N more errors not listed", and
// count_errors() counts those N with the listed ones, for the "<file>: M errors" summary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "host/config/config.hpp"

namespace weft::host {

[[nodiscard]] std::string unlisted_errors_line(std::string_view origin, std::size_t count);

// Every error of `result`, listed or not (the "not listed" line itself is not one).
[[nodiscard]] std::size_t count_errors(const ConfigResult& result);

}  // namespace weft::host
