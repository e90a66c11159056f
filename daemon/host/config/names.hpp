// The spelling of each enum value in the config file, shared by the JSON reader, the environment
// overrides and to_string().
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "host/config/config.hpp"

namespace weft::host {

template <class E>
struct Named {
    std::string_view name;
    E value;
};

inline constexpr std::array<Named<Flavor>, 2> kFlavorNames = {{
    {"multi_thread", Flavor::multi_thread},
    {"current_thread", Flavor::current_thread},
}};

inline constexpr std::array<Named<PollClockChoice>, 2> kPollClockNames = {{
    {"coarse", PollClockChoice::coarse},
    {"precise", PollClockChoice::precise},
}};

inline constexpr std::array<Named<LogLevel>, 7> kLogLevelNames = {{
    {"trace", LogLevel::trace},
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
    {"critical", LogLevel::critical},
    {"off", LogLevel::off},
}};

inline constexpr std::array<Named<LogFormat>, 2> kLogFormatNames = {{
    {"text", LogFormat::text},
    {"json", LogFormat::json},
}};

inline constexpr std::array<Named<LogTarget>, 2> kLogTargetNames = {{
    {"stderr", LogTarget::stderr_stream},
    {"journald", LogTarget::journald},
}};

inline constexpr std::array<Named<ChannelKind>, 4> kChannelKindNames = {{
    {"mpsc", ChannelKind::mpsc},
    {"mpmc", ChannelKind::mpmc},
    {"broadcast", ChannelKind::broadcast},
    {"watch", ChannelKind::watch},
}};

inline constexpr std::array<Named<PoolKind>, 2> kPoolKindNames = {{
    {"tcp", PoolKind::tcp},
    {"resource", PoolKind::resource},
}};

inline constexpr std::array<Named<Overlap>, 2> kOverlapNames = {{
    {"skip", Overlap::skip},
    {"queue", Overlap::queue},
}};

template <class E>
[[nodiscard]] constexpr std::optional<E> from_name(std::span<const Named<E>> names,
                                                   std::string_view name) noexcept {
    for (const auto& entry : names) {
        if (entry.name == name) return entry.value;
    }
    return std::nullopt;
}

template <class E>
[[nodiscard]] constexpr std::string_view name_of(std::span<const Named<E>> names,
                                                 E value) noexcept {
    for (const auto& entry : names) {
        if (entry.value == value) return entry.name;
    }
    return "?";
}

}  // namespace weft::host
