// libFuzzer target: the config reader and validator, from file text to a Config or its errors.
// Besides crashes and sanitizer reports, it checks what callers rely on: a result is valid
// exactly when it has no error, every error names its origin, and the listing stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "host/config/config.hpp"
#include "host/config/json_reader.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const weft::host::EnvLookup no_env = [](const char*) -> std::optional<std::string> {
        return std::nullopt;
    };
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const weft::host::ConfigResult result = weft::host::parse_config(text, "fuzz.json", no_env);
    require(result.ok() == result.errors.empty());
    require(result.errors.size() <= weft::host::Diagnostics::kMaxListed + 1);
    for (const std::string& error : result.errors) require(error.starts_with("fuzz.json: "));
    if (result.ok()) {
        // What weftd then does with each plugin's config: hand it over as JSON text.
        for (const auto& plugin : result.config->plugins) (void)plugin.config.dump();
    }
    return 0;
}
