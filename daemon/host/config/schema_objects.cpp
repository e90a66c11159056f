// Named runtime objects that plugins look up in the host registry: channels and semaphores.
#include "host/config/schema.hpp"

namespace weft::host {
namespace {

// Reports a bad object name; returns whether the name is usable.
bool check_object_name(const std::string& name, const std::string& path, Diagnostics& diag) {
    if (is_object_name(name)) return true;
    diag.error(path, "invalid name: use letters, digits, '_', '-' and '.'");
    return false;
}

void read_channel(const Json& value, const std::string& path, Diagnostics& diag,
                  ChannelConfig& out) {
    using Presence = ObjectReader::Presence;
    const ObjectReader r(value, path, diag, {"kind", "capacity"});
    if (!r.is_object()) return;
    assign_if(out.kind, r.choice<ChannelKind>("kind", kChannelKindNames, Presence::required));
    if (out.kind == ChannelKind::watch) {
        // A watch channel holds only the latest value, so a capacity would be silently ignored.
        if (r.find("capacity") != nullptr) {
            diag.error(r.path_of("capacity"),
                       "not allowed for a watch channel (it holds one value)");
        }
        return;
    }
    const Range range = kChannelCapacity;
    if (auto capacity = r.integer("capacity", range.min, range.max, Presence::required)) {
        out.capacity = static_cast<std::uint32_t>(*capacity);
    }
}

}  // namespace

void read_channels_section(const Json& value, const std::string& path, Diagnostics& diag,
                           Config& out) {
    if (!expect_type(value, Json::value_t::object, path, diag)) return;
    for (const auto& [name, channel] : value.items()) {
        const std::string channel_path = child_path(path, name);
        const bool name_ok = check_object_name(name, channel_path, diag);
        ChannelConfig config;
        read_channel(channel, channel_path, diag, config);
        if (name_ok) out.channels.emplace(name, config);
    }
}

void read_semaphores_section(const Json& value, const std::string& path, Diagnostics& diag,
                             Config& out) {
    if (!expect_type(value, Json::value_t::object, path, diag)) return;
    for (const auto& [name, permits] : value.items()) {
        const std::string semaphore_path = child_path(path, name);
        const bool name_ok = check_object_name(name, semaphore_path, diag);
        const auto count = read_integer(permits, semaphore_path, diag, kSemaphorePermits.min,
                                        kSemaphorePermits.max);
        if (name_ok && count) out.semaphores.emplace(name, static_cast<std::uint32_t>(*count));
    }
}

}  // namespace weft::host
