// The plugins array: which shared libraries to load, in order, with their own config.
#include "host/config/schema.hpp"

namespace weft::host {
namespace {

using Presence = ObjectReader::Presence;

// The plugin, or nothing if any required part is missing or invalid. A valid name is claimed in
// `names` either way.
std::optional<PluginConfig> read_plugin(const Json& value, const std::string& path,
                                        Diagnostics& diag, NameIndex& names) {
    const ObjectReader r(value, path, diag, {"name", "path", "config", "enabled"});
    if (!r.is_object()) return std::nullopt;
    PluginConfig plugin;
    bool complete = false;
    if (auto name = r.string("name", Presence::required)) {
        if (!is_plugin_name(*name)) {
            diag.error(
                r.path_of("name"),
                fmt::format("invalid plugin name \"{}\": use letters, digits, '_' and '-'", *name));
        } else if (claim_name(names, *name, path, "plugin", diag)) {
            plugin.name = std::move(*name);
            complete = true;
        }
    }
    if (auto file = r.string("path", Presence::required)) {
        plugin.path = std::move(*file);
    } else {
        complete = false;
    }
    // The plugin validates its own config: any JSON value is accepted here.
    if (const Json* config = r.find("config")) plugin.config = nlohmann::json(*config);
    assign_if(plugin.enabled, r.boolean("enabled"));
    if (!complete) return std::nullopt;
    return plugin;
}

}  // namespace

NameIndex read_plugins_section(const Json& value, const std::string& path, Diagnostics& diag,
                               Config& out) {
    NameIndex names;
    if (!expect_type(value, Json::value_t::array, path, diag)) return names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto plugin = read_plugin(value[i], child_path(path, i), diag, names)) {
            out.plugins.push_back(std::move(*plugin));
        }
    }
    return names;
}

}  // namespace weft::host
