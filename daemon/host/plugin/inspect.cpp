#include "host/plugin/inspect.hpp"

#include <cstddef>
#include <memory>

#include <fmt/format.h>

#include "host/plugin/hook_call.hpp"
#include "host/plugin/library.hpp"
#include "host/plugin/manifest.hpp"

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
    if (d.abi_minor >= 4 &&
        d.size >= offsetof(weft_plugin_descriptor, reconfigure) + sizeof d.reconfigure &&
        d.reconfigure != nullptr)
        hooks += " reconfigure";
    std::string text = fmt::format(
        "file:    {}\n"
        "name:    {}\n"
        "version: {}\n"
        "ABI:     {} (this weftd: {}, compatible)\n"
        "hooks:   {}\n",
        path.string(), d.name, d.version, abi_string(d.abi_major, d.abi_minor),
        abi_string(WEFT_PLUGIN_ABI_MAJOR, WEFT_PLUGIN_ABI_MINOR), hooks);
    // With an empty config: names and capacities taken from a config show their defaults.
    std::vector<std::string> problems;
    if (const auto manifest = read_manifest(d, nlohmann::json::object(), problems)) {
        text += describe_manifest(*manifest);
    } else {
        text += "manifest: none (check-config cannot check its jobs and channels)\n";
    }
    for (const auto& problem : problems) text += "problem:  " + problem + "\n";
    return {true, std::move(text)};
}

std::vector<std::string> validate_plugins(const Config& config,
                                          const std::filesystem::path& plugin_dir) {
    std::vector<std::string> errors;
    std::vector<std::optional<PluginManifest>> manifests(config.plugins.size());
    for (std::size_t i = 0; i < config.plugins.size(); ++i) {
        const PluginConfig& plugin = config.plugins[i];
        if (!plugin.enabled) continue;
        const std::string where = fmt::format("/plugins/{}", i);
        LoadResult loaded = open_plugin_library(resolve_plugin_path(plugin.path, plugin_dir));
        if (auto* error = std::get_if<LoadError>(&loaded)) {
            errors.push_back(
                fmt::format("{}: plugin '{}': {}", where, plugin.name, error->message));
            continue;
        }
        PluginLibrary& library = std::get<PluginLibrary>(loaded);
        const weft_plugin_descriptor& d = library.descriptor();
        std::vector<std::string> problems;
        manifests[i] = read_manifest(d, plugin.config, problems);
        for (const auto& problem : problems)
            errors.push_back(fmt::format("{}: plugin '{}': {}", where, plugin.name, problem));
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
            errors.push_back(fmt::format("{}: plugin '{}': its validate hook {}", where,
                                         plugin.name, r.message));
        } else if (!r.ok())
            errors.push_back(fmt::format("{}/config: rejected by plugin '{}': {}", where,
                                         plugin.name, r.message));
    }
    for (auto& error : check_manifests(config, manifests)) errors.push_back(std::move(error));
    return errors;
}

}  // namespace weft::host
