#include "host/config/error_count.hpp"

#include <fmt/format.h>

#include <charconv>

namespace weft::host {
namespace {

constexpr std::string_view kOne = " more error not listed";
constexpr std::string_view kMany = " more errors not listed";

// N if `line` is "<origin>: N more errors not listed".
std::size_t unlisted_in(std::string_view line) {
    for (std::string_view tail : {kOne, kMany}) {
        if (!line.ends_with(tail)) continue;
        line.remove_suffix(tail.size());
        const std::size_t space = line.rfind(' ');
        if (space == std::string_view::npos || space == 0 || line[space - 1] != ':') return 0;
        const std::string_view digits = line.substr(space + 1);
        std::size_t count = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
        if (ec != std::errc{} || end != digits.data() + digits.size()) return 0;
        return count;
    }
    return 0;
}

}  // namespace

std::string unlisted_errors_line(std::string_view origin, std::size_t count) {
    return fmt::format("{}: {}{}", origin, count, count == 1 ? kOne : kMany);
}

std::size_t count_errors(const ConfigResult& result) {
    std::size_t total = 0;
    for (const std::string& line : result.errors) {
        const std::size_t unlisted = unlisted_in(line);
        total += unlisted > 0 ? unlisted : 1;
    }
    return total;
}

}  // namespace weft::host
