// The ABI's channel kinds (plugin.h's weft_channel_kind) as the config's ChannelKind: one mapping
// for both places that read a kind from a plugin, the registry's weft_channel_open and the
// manifest's declared channels.
#pragma once

#include <optional>

#include "host/config/config.hpp"
#include "weft/plugin.h"

namespace weft::host {

// False when `kind` is no weft_channel_kind (a plugin bug to report). Otherwise true, with `out`
// the kind, or nullopt for WEFT_CHANNEL_ANY (whatever kind the channel has).
[[nodiscard]] inline bool channel_kind_from_abi(int kind,
                                                std::optional<ChannelKind>& out) noexcept {
    out.reset();
    switch (kind) {
        case WEFT_CHANNEL_ANY:
            return true;
        case WEFT_CHANNEL_MPSC:
            out = ChannelKind::mpsc;
            return true;
        case WEFT_CHANNEL_MPMC:
            out = ChannelKind::mpmc;
            return true;
        case WEFT_CHANNEL_BROADCAST:
            out = ChannelKind::broadcast;
            return true;
        case WEFT_CHANNEL_WATCH:
            out = ChannelKind::watch;
            return true;
        default:
            return false;
    }
}

}  // namespace weft::host
