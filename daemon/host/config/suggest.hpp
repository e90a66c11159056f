// "Did you mean ...?" for misspelt keys and enum values.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace weft::host {

// The candidate closest to `word` by edit distance (insertions, deletions, substitutions and
// adjacent transpositions), if it is close enough to be a plausible typo: at most a third of the
// word's length, and never more than 3 edits.
[[nodiscard]] std::optional<std::string_view> closest_match(
    std::string_view word, std::span<const std::string_view> candidates);

}  // namespace weft::host
