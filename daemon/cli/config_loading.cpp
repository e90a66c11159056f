#include "cli/config_loading.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "host/config/error_count.hpp"

namespace weft::cli {
namespace {

std::string count_text(std::size_t n) { return fmt::format("{} error{}", n, n == 1 ? "" : "s"); }

}  // namespace

std::optional<host::Config> load_config_or_report(const std::filesystem::path& file) {
    host::ConfigResult result = host::load_config(file);
    if (result.ok()) return std::move(result.config);
    for (const std::string& error : result.errors) fmt::print(stderr, "{}\n", error);
    // An override's error names its variable, not the file: the file may well be fine.
    const auto from_env = static_cast<std::size_t>(
        std::count_if(result.errors.begin(), result.errors.end(),
                      [](const std::string& e) { return e.starts_with("environment: "); }));
    if (const std::size_t in_file = host::count_errors(result) - from_env; in_file != 0)
        fmt::print(stderr, "{}: {}\n", file.string(), count_text(in_file));
    if (from_env != 0)
        fmt::print(stderr, "environment: {} in WEFT_* variables\n", count_text(from_env));
    return std::nullopt;
}

}  // namespace weft::cli
