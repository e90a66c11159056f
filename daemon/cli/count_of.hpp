// "1 job", "2 jobs", "0 jobs": a count and its noun, for the messages weftd prints.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::cli {

// `plural` defaults to the singular with an "s" appended.
[[nodiscard]] inline std::string count_of(std::size_t n, std::string_view singular,
                                          std::string_view plural = {}) {
    if (n == 1) return fmt::format("1 {}", singular);
    if (plural.empty()) return fmt::format("{} {}s", n, singular);
    return fmt::format("{} {}", n, plural);
}

}  // namespace weft::cli
