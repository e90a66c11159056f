#include "host/plugin/descriptor_check.hpp"

#include <fmt/format.h>

#include <cstddef>

#include "host/plugin/library.hpp"

namespace weft::host {
namespace {

std::string error(const std::filesystem::path& path, std::string_view what) {
    return fmt::format("{}: {}", path.string(), what);
}

}  // namespace

std::string check_descriptor(const std::filesystem::path& path,
                             const weft_plugin_descriptor* descriptor) {
    if (descriptor == nullptr) {
        return error(path, "`" WEFT_PLUGIN_ENTRY_SYMBOL
                           "` returned no descriptor (NULL): the plugin is broken; rebuild it");
    }
    if (descriptor->size < offsetof(weft_plugin_descriptor, abi_minor) + sizeof(std::uint32_t)) {
        return error(path, fmt::format("its descriptor is {} bytes, too small to be a weft plugin "
                                       "descriptor: rebuild the plugin against this weftd's SDK",
                                       descriptor->size));
    }
    if (auto abi = check_abi(path, descriptor->abi_major, descriptor->abi_minor); !abi.empty())
        return abi;
    if (descriptor->size < kMinDescriptorSize) {
        return error(path, fmt::format("its descriptor is {} bytes but ABI {} needs at least {}: "
                                       "rebuild the plugin against this weftd's SDK",
                                       descriptor->size,
                                       abi_string(descriptor->abi_major, descriptor->abi_minor),
                                       kMinDescriptorSize));
    }
    const weft_plugin_descriptor& d = *descriptor;
    if (d.name == nullptr || d.name[0] == '\0')
        return error(path, "the plugin descriptor has no name: set its `name` field");
    if (d.version == nullptr)
        return error(path, "the plugin descriptor has no version: set its `version` field");
    if (d.init == nullptr)
        return error(path,
                     "the plugin descriptor has no init hook: every plugin must provide `init`");
    return {};
}

}  // namespace weft::host
