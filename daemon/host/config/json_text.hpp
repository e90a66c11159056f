// Turning config text into a JSON document, with errors an operator can act on: a syntax error
// names the line and column (nlohmann reports a byte offset), and a key given twice in one object
// is an error (JSON parsers silently keep the last one, which hides edits that do nothing).
//
// Absurd input is an error too, never a crash: a number too large for any type (5000 digits,
// 1e400) is reported with its JSON path; nesting deeper than kMaxJsonDepth arrays and objects
// (counting the top-level object) and an object of more than kMaxJsonMembers keys stop the parse
// with an error naming where. The depth limit comes before a tree that deep is built (the code
// that walks a tree recurses, and a plugin parses its config text itself); the key limit bounds
// the time spent (an object keeps its keys in file order, and each new key is compared with
// those before it).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "host/config/json_reader.hpp"

namespace weft::host {

inline constexpr int kMaxJsonDepth = 128;
inline constexpr std::size_t kMaxJsonMembers = 1000;

// The document, or nothing after a syntax error, a number out of range or nesting too deep.
// Errors go to `diag`: a syntax error as "line L, column C: invalid JSON: <reason>", the others
// with the JSON path of the value.
[[nodiscard]] std::optional<Json> parse_json_text(std::string_view text, Diagnostics& diag);

}  // namespace weft::host
