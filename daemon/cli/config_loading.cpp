#include "cli/config_loading.hpp"

#include <fmt/core.h>

#include "host/config/error_count.hpp"

namespace weft::cli {

std::optional<host::Config> load_config_or_report(const std::filesystem::path& file) {
    host::ConfigResult result = host::load_config(file);
    if (result.ok()) return std::move(result.config);
    for (const std::string& error : result.errors) fmt::print(stderr, "{}\n", error);
    fmt::print(stderr, "{}: {} error{}\n", file.string(), host::count_errors(result),
               host::count_errors(result) == 1 ? "" : "s");
    return std::nullopt;
}

}  // namespace weft::cli
