// A plugin's manifest (plugin.h, ABI 1.2) as the host reads it: the job tasks it promises to
// register and the channels it promises to open, with names and capacities taken from the
// plugin's config where the manifest points into it. `weftd check-config` compares the config
// against it (check_manifests); nothing at run time depends on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/config/config.hpp"
#include "weft/plugin.h"

namespace weft::host {

struct ManifestChannel {
    std::string name;
    std::optional<ChannelKind> kind;        // empty: any
    std::optional<std::uint32_t> capacity;  // empty: any
    std::uint32_t flags = 0;
};

struct PluginManifest {
    std::optional<std::vector<std::string>> tasks;         // empty: not declared
    std::optional<std::vector<ManifestChannel>> channels;  // empty: not declared
};

// The descriptor's manifest, or nothing for a descriptor without one (a 1.1 plugin's descriptor
// ends before the field; its size says so). Pointers into `config` that lead nowhere leave the
// default; one leading to a value of the wrong type (or a kind the host does not know) is added to
// `problems`, as "<manifest field>: ...".
[[nodiscard]] std::optional<PluginManifest> read_manifest(const weft_plugin_descriptor& d,
                                                          const nlohmann::json& config,
                                                          std::vector<std::string>& problems);

// Every disagreement between the config and the manifests of its enabled plugins (one entry per
// plugin, in config order; nullopt for a plugin without manifest or that did not load), each as
// "<JSON pointer>: <message>": a job naming a task its plugin does not list, a declared channel
// opened with another kind or capacity, two plugins opening an undeclared channel differently.
[[nodiscard]] std::vector<std::string> check_manifests(
    const Config& config, const std::vector<std::optional<PluginManifest>>& manifests);

// "tasks: report; channels: records (mpsc, capacity 64, send)" for `weftd plugin inspect`.
[[nodiscard]] std::string describe_manifest(const PluginManifest& manifest);

}  // namespace weft::host
