#include "host/plugin/manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <map>

#include "host/abi/channel_kind.hpp"

namespace weft::host {
namespace {

using json = nlohmann::json;

// The config's value at `pointer`, or nullptr when there is none (or the pointer is malformed,
// reported).
const json* at_pointer(const json& config, const char* pointer, const std::string& field,
                       std::vector<std::string>& problems) {
    if (pointer == nullptr) return nullptr;
    try {
        const json::json_pointer ptr(pointer);
        return config.contains(ptr) ? &config.at(ptr) : nullptr;
    } catch (const json::exception&) {
        problems.push_back(fmt::format("{}: \"{}\" is not a JSON pointer", field, pointer));
        return nullptr;
    }
}

ManifestChannel read_channel(const weft_manifest_channel& c, std::size_t i, const json& config,
                             std::vector<std::string>& problems) {
    const std::string field = fmt::format("manifest channel {} ('{}')", i, c.name);
    ManifestChannel out;
    out.name = c.name;
    if (const json* name = at_pointer(config, c.name_from, field, problems)) {
        if (name->is_string()) {
            out.name = name->get<std::string>();
        } else {
            problems.push_back(fmt::format("{}: the config's {} must be a channel name, got {}",
                                           field, c.name_from, name->dump()));
        }
    }
    if (!channel_kind_from_abi(c.kind, out.kind))
        problems.push_back(fmt::format("{}: unknown channel kind {}", field, c.kind));
    if (c.capacity != 0) out.capacity = c.capacity;
    if (const json* capacity = at_pointer(config, c.capacity_from, field, problems)) {
        if (capacity->is_number_unsigned() && capacity->get<std::uint64_t>() <= UINT32_MAX) {
            out.capacity = capacity->get<std::uint32_t>();
        } else {
            problems.push_back(fmt::format("{}: the config's {} must be a capacity, got {}", field,
                                           c.capacity_from, capacity->dump()));
        }
    }
    out.flags = c.flags;
    return out;
}

std::string flags_text(std::uint32_t flags) {
    if ((flags & WEFT_CHANNEL_SEND) && (flags & WEFT_CHANNEL_RECV)) return "send, receive";
    if (flags & WEFT_CHANNEL_SEND) return "send";
    if (flags & WEFT_CHANNEL_RECV) return "receive";
    return "open";
}

std::string describe(const ManifestChannel& c) {
    return fmt::format("{} ({}{}, {})", c.name, c.kind ? to_string(*c.kind) : "any kind",
                       c.capacity ? fmt::format(", capacity {}", *c.capacity) : "",
                       flags_text(c.flags));
}

std::string list_or_none(const std::vector<std::string>& names) {
    if (names.empty()) return "none";
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

// Where a plugin opened a channel first, for two undeclared opens that disagree.
struct FirstOpen {
    std::size_t plugin;
    ManifestChannel channel;
};

}  // namespace

std::optional<PluginManifest> read_manifest(const weft_plugin_descriptor& d, const json& config,
                                            std::vector<std::string>& problems) {
    // A descriptor compiled before 1.2 ends before the field: its size says whether it is there.
    if (d.size < offsetof(weft_plugin_descriptor, manifest) + sizeof d.manifest ||
        d.abi_minor < 2 || d.manifest == nullptr)
        return std::nullopt;
    const weft_plugin_manifest& m = *d.manifest;
    PluginManifest out;
    if (m.size >= offsetof(weft_plugin_manifest, tasks) + sizeof m.tasks && m.tasks != nullptr) {
        out.tasks.emplace();
        for (const char* const* t = m.tasks; *t != nullptr; ++t) out.tasks->emplace_back(*t);
    }
    if (m.size >= offsetof(weft_plugin_manifest, channels) + sizeof m.channels &&
        m.channels != nullptr) {
        out.channels.emplace();
        for (std::size_t i = 0; m.channels[i].name != nullptr; ++i)
            out.channels->push_back(read_channel(m.channels[i], i, config, problems));
    }
    return out;
}

std::vector<std::string> check_manifests(
    const Config& config, const std::vector<std::optional<PluginManifest>>& manifests) {
    std::vector<std::string> errors;
    std::map<std::string, std::size_t, std::less<>> plugin_index;
    for (std::size_t i = 0; i < config.plugins.size(); ++i)
        plugin_index.emplace(config.plugins[i].name, i);

    for (std::size_t j = 0; j < config.jobs.size(); ++j) {
        const JobConfig& job = config.jobs[j];
        const auto found = plugin_index.find(job.plugin);
        if (found == plugin_index.end() || found->second >= manifests.size()) continue;
        const auto& manifest = manifests[found->second];
        if (!manifest || !manifest->tasks) continue;
        const auto& tasks = *manifest->tasks;
        if (std::find(tasks.begin(), tasks.end(), job.task) != tasks.end()) continue;
        errors.push_back(fmt::format(
            "/jobs/{}/task: plugin '{}' registers no task '{}' (its manifest lists: {})", j,
            job.plugin, job.task, list_or_none(tasks)));
    }

    std::map<std::string, FirstOpen, std::less<>> undeclared;
    for (std::size_t p = 0; p < manifests.size() && p < config.plugins.size(); ++p) {
        if (!manifests[p] || !manifests[p]->channels) continue;
        const std::string& plugin = config.plugins[p].name;
        for (const ManifestChannel& c : *manifests[p]->channels) {
            const auto declared = config.channels.find(c.name);
            if (declared != config.channels.end()) {
                const ChannelConfig& d = declared->second;
                const std::string at = "/channels/" + c.name;
                if (c.kind && *c.kind != d.kind) {
                    errors.push_back(fmt::format(
                        "{}/kind: '{}' is declared {}, but plugin '{}' (/plugins/{}) opens it as "
                        "{}",
                        at, c.name, to_string(d.kind), plugin, p, to_string(*c.kind)));
                } else if (c.capacity && d.capacity && *c.capacity != *d.capacity) {
                    errors.push_back(fmt::format(
                        "{}/capacity: '{}' is declared with capacity {}, but plugin '{}' "
                        "(/plugins/{}) opens it with capacity {}",
                        at, c.name, *d.capacity, plugin, p, *c.capacity));
                }
                continue;
            }
            // Not declared: the first open creates it, and a later open must agree with it.
            if (!c.kind) continue;
            const auto [first, inserted] = undeclared.try_emplace(c.name, FirstOpen{p, c});
            if (inserted) continue;
            const ManifestChannel& f = first->second.channel;
            if (*f.kind != *c.kind || (f.capacity && c.capacity && *f.capacity != *c.capacity)) {
                errors.push_back(fmt::format(
                    "/plugins/{}: plugin '{}' opens channel {}, but plugin '{}' (/plugins/{}) "
                    "opens it as {}; declare it in /channels",
                    p, plugin, describe(c), config.plugins[first->second.plugin].name,
                    first->second.plugin, describe(f)));
            }
        }
    }
    return errors;
}

std::string describe_manifest(const PluginManifest& manifest) {
    std::string text = "tasks:    ";
    text += manifest.tasks ? list_or_none(*manifest.tasks) : "not declared";
    text += "\nchannels: ";
    if (!manifest.channels) {
        text += "not declared";
    } else if (manifest.channels->empty()) {
        text += "none";
    } else {
        for (std::size_t i = 0; i < manifest.channels->size(); ++i)
            text += (i ? "; " : "") + describe((*manifest.channels)[i]);
    }
    return text + "\n";
}

}  // namespace weft::host
