// Turning config text into a JSON document, with errors an operator can act on: a syntax error
// names the line and column (nlohmann reports a byte offset), and a key given twice in one object
// is an error (JSON parsers silently keep the last one, which hides edits that do nothing).
#pragma once

#include <optional>
#include <string_view>

#include "host/config/json_reader.hpp"

namespace weft::host {

// The document, or nothing after a syntax error. Errors go to `diag`; a syntax error is reported
// as "line L, column C: invalid JSON: <reason>".
[[nodiscard]] std::optional<Json> parse_json_text(std::string_view text, Diagnostics& diag);

}  // namespace weft::host
