// libFuzzer target: the checks weftd makes of a plugin's descriptor before running any hook
// (host/plugin/descriptor_check.hpp), on descriptors built from the input: its size and ABI
// fields, which hooks are set, and its name and version strings. A descriptor the checks accept
// must then have what the host relies on (a name, a version, an init hook, a known ABI).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "host/plugin/descriptor_check.hpp"
#include "host/plugin/library.hpp"

namespace {

weft_status fake_init(const weft_init_args*, void**, char*, size_t) { return WEFT_OK; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // size (8 bytes), abi_major (4), abi_minor (4), flags (1), then "name\0version".
    constexpr std::size_t kHeader = 17;
    if (size < kHeader) return 0;
    weft_plugin_descriptor d{};
    std::memcpy(&d.size, data, sizeof d.size);
    std::memcpy(&d.abi_major, data + 8, sizeof d.abi_major);
    std::memcpy(&d.abi_minor, data + 12, sizeof d.abi_minor);
    const std::uint8_t flags = data[16];
    const std::string strings(reinterpret_cast<const char*>(data + kHeader), size - kHeader);
    const std::size_t split = strings.find('\0');
    const std::string name = strings.substr(0, split);
    const std::string version =
        split == std::string::npos ? std::string() : strings.substr(split + 1);
    d.name = (flags & 1) != 0 ? name.c_str() : nullptr;
    d.version = (flags & 2) != 0 ? version.c_str() : nullptr;
    d.init = (flags & 4) != 0 ? &fake_init : nullptr;
    const std::string problem = weft::host::check_descriptor((flags & 8) != 0 ? "fuzz.so" : "",
                                                             (flags & 16) ? &d : nullptr);
    if (problem.empty()) {
        const bool sound = d.name != nullptr && d.name[0] != '\0' && d.version != nullptr &&
                           d.init != nullptr && d.size >= weft::host::kMinDescriptorSize &&
                           d.abi_major == WEFT_PLUGIN_ABI_MAJOR &&
                           d.abi_minor <= WEFT_PLUGIN_ABI_MINOR && (flags & 16) != 0;
        if (!sound) std::abort();
    }
    return 0;
}
