// weft::Manifest: what a plugin class promises to register and open (plugin.h, ABI 1.2), so that
// `weftd check-config` finds a job naming a task the plugin never registers, or a channel
// declared with another kind or capacity than the plugin opens, before weftd runs.
//
//   class Producer : public weft::Plugin {
//      public:
//       static weft::Manifest manifest() {
//           return weft::Manifest()
//               .tasks({"rollup"})
//               .channel(weft::ChannelDecl::sends("records", weft::ChannelKind::mpsc, 64)
//                            .name_from("/channel")         // the config's "channel", if set
//                            .capacity_from("/capacity"));  // the config's "capacity", if set
//       }
//   };
//
// WEFT_PLUGIN publishes it in the descriptor when the class has a static manifest(); without one
// nothing is checked. manifest() runs once, when weftd first asks for the descriptor, with no
// instance and no host. A list never declared (no tasks() or no channel call) is not checked;
// tasks({}) promises none. With a manifest, register_job logs a warning for a name outside it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/channel.hpp"

namespace weft {
inline namespace sdk {

// A channel the plugin opens: its name and capacity as written, or from its config.
struct ChannelDecl {
    std::string name;
    ChannelKind kind = ChannelKind::any;
    std::uint32_t capacity = 0;  // 0: any
    std::uint32_t flags = 0;     // WEFT_CHANNEL_SEND | WEFT_CHANNEL_RECV
    std::string name_source;     // JSON pointer into the config, or empty
    std::string capacity_source;

    [[nodiscard]] static ChannelDecl sends(std::string name, ChannelKind kind,
                                           std::uint32_t capacity = 0) {
        return {std::move(name), kind, capacity, WEFT_CHANNEL_SEND, {}, {}};
    }
    [[nodiscard]] static ChannelDecl receives(std::string name, ChannelKind kind,
                                              std::uint32_t capacity = 0) {
        return {std::move(name), kind, capacity, WEFT_CHANNEL_RECV, {}, {}};
    }
    // The string at `pointer` in the plugin's config, when present, replaces the name.
    ChannelDecl&& name_from(std::string pointer) && {
        name_source = std::move(pointer);
        return std::move(*this);
    }
    // The integer at `pointer` in the plugin's config, when present, replaces the capacity.
    ChannelDecl&& capacity_from(std::string pointer) && {
        capacity_source = std::move(pointer);
        return std::move(*this);
    }
};

class Manifest {
   public:
    Manifest& tasks(std::initializer_list<std::string_view> names) & {
        tasks_declared_ = true;
        for (auto name : names) tasks_.emplace_back(name);
        return *this;
    }
    Manifest&& tasks(std::initializer_list<std::string_view> names) && {
        return std::move(tasks(names));
    }
    Manifest& channel(ChannelDecl decl) & {
        channels_declared_ = true;
        channels_.push_back(std::move(decl));
        return *this;
    }
    Manifest&& channel(ChannelDecl decl) && { return std::move(channel(std::move(decl))); }
    // Promises that the plugin opens no channel.
    Manifest&& no_channels() && {
        channels_declared_ = true;
        return std::move(*this);
    }

    // The declared task names, or null when tasks() was never called (nothing to check).
    [[nodiscard]] const std::vector<std::string>* task_names() const noexcept {
        return tasks_declared_ ? &tasks_ : nullptr;
    }
    // The declared channels, or null when neither channel() nor no_channels() was called.
    [[nodiscard]] const std::vector<ChannelDecl>* channels() const noexcept {
        return channels_declared_ ? &channels_ : nullptr;
    }

   private:
    // A vector and a flag rather than std::optional<std::vector>: GCC 12 at -O1 with sanitizers
    // reports a false -Wmaybe-uninitialized on optional<vector>::emplace (as GCC bug 105562 does
    // for <regex>), and an emplace per call would also drop what an earlier call declared.
    std::vector<std::string> tasks_;
    std::vector<ChannelDecl> channels_;
    bool tasks_declared_ = false;
    bool channels_declared_ = false;
};

namespace detail {

// A Manifest laid out as plugin.h's weft_plugin_manifest, pointing into itself. Built once and
// never moved (a function-local static), so the pointers stay valid while the library is loaded.
class ManifestStorage {
   public:
    explicit ManifestStorage(Manifest manifest) : source_(std::move(manifest)) {
        c_.size = sizeof c_;
        if (const auto* tasks = source_.task_names()) {
            for (const auto& name : *tasks) task_ptrs_.push_back(name.c_str());
            task_ptrs_.push_back(nullptr);
            c_.tasks = task_ptrs_.data();
        }
        if (const auto* channels = source_.channels()) {
            for (const auto& d : *channels) {
                channels_.push_back(
                    {d.name.c_str(), d.name_source.empty() ? nullptr : d.name_source.c_str(),
                     static_cast<int>(d.kind), d.capacity,
                     d.capacity_source.empty() ? nullptr : d.capacity_source.c_str(), d.flags});
            }
            channels_.push_back({nullptr, nullptr, 0, 0, nullptr, 0});
            c_.channels = channels_.data();
        }
    }
    ManifestStorage(const ManifestStorage&) = delete;
    ManifestStorage& operator=(const ManifestStorage&) = delete;

    [[nodiscard]] const weft_plugin_manifest* c_manifest() const noexcept { return &c_; }

   private:
    Manifest source_;
    std::vector<const char*> task_ptrs_;
    std::vector<weft_manifest_channel> channels_;
    weft_plugin_manifest c_{};
};

// Whether `manifest` lets the plugin register the job task `name` (true when tasks are not
// declared at all).
inline bool manifest_lists_task(const weft_plugin_manifest* manifest, std::string_view name) {
    if (manifest == nullptr || manifest->tasks == nullptr) return true;
    for (const char* const* t = manifest->tasks; *t != nullptr; ++t)
        if (name == *t) return true;
    return false;
}

}  // namespace detail
}  // namespace sdk
}  // namespace weft
