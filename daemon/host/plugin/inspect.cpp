#include "host/plugin/inspect.hpp"

#include <memory>

#include <fmt/format.h>

#include "host/plugin/hook_call.hpp"
#include "host/plugin/library.hpp"
#include "host/plugin/plugin_host.hpp"

namespace weft::host {

InspectResult inspect_plugin(const std::filesystem::path& path) {
    LoadResult loaded = open_plugin_library(path);
    if (auto* error = std::get_if<LoadError>(&loaded)) return {false, error->message};
    const PluginLibrary& library = std::get<PluginLibrary>(loaded);
    const weft_plugin_descriptor& d = library.descriptor();
    std::string hooks = "init";
    if (d.start) hooks += " start";
    if (d.stop) hooks += " stop";
    if (d.destroy) hooks += " destroy";
    if (d.validate) hooks += " validate";
    std::string text = fmt::format(
        "file:    {}\n"
        "name:    {}\n"
        "version: {}\n"
        "ABI:     {} (this weftd: {}, compatible)\n"
        "hooks:   {}\n",
        path.string(), d.name, d.version, abi_string(d.abi_major, d.abi_minor),
        abi_string(WEFT_PLUGIN_ABI_MAJOR, WEFT_PLUGIN_ABI_MINOR), hooks);
    return {true, std::move(text)};
}

std::vector<std::string> validate_plugins(const Config& config,
                                          const std::filesystem::path& plugin_dir) {
    std::vector<std::string> errors;
    for (std::size_t i = 0; i < config.plugins.size(); ++i) {
        const PluginConfig& plugin = config.plugins[i];
        if (!plugin.enabled) continue;
        const std::string where = fmt::format("plugins[{}] ('{}')", i, plugin.name);
        LoadResult loaded = open_plugin_library(resolve_plugin_path(plugin.path, plugin_dir));
        if (auto* error = std::get_if<LoadError>(&loaded)) {
            errors.push_back(fmt::format("{}: {}", where, error->message));
            continue;
        }
        PluginLibrary& library = std::get<PluginLibrary>(loaded);
        const weft_plugin_descriptor& d = library.descriptor();
        if (!d.validate) continue;
        // Shared with the hook's thread, which outlives this loop if the hook hangs.
        auto text = std::make_shared<const std::string>(plugin.config.dump());
        auto identity = std::make_shared<CrashIdentity>();
        identity->set(plugin.name, library.path().filename().string(), 0, {});
        const auto validate = d.validate;
        const HookResult r =
            call_hook_within(std::chrono::milliseconds(config.shutdown.hook_timeout_ms), *identity,
                             "hook validate", reinterpret_cast<const void*>(validate),
                             [text, identity, validate](char* e, std::size_t n) {
                                 return validate(text->c_str(), text->size(), e, n);
                             });
        if (r.abandoned) {
            library.leak();  // its code still runs
            errors.push_back(fmt::format("{}: its validate hook {}", where, r.message));
        } else if (!r.ok())
            errors.push_back(
                fmt::format("{}.config: rejected by the plugin: {}", where, r.message));
    }
    return errors;
}

}  // namespace weft::host
