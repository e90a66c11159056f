#include "host/config/names.hpp"

namespace weft::host {

std::string_view to_string(Flavor value) noexcept { return name_of<Flavor>(kFlavorNames, value); }
std::string_view to_string(LogLevel value) noexcept {
    return name_of<LogLevel>(kLogLevelNames, value);
}
std::string_view to_string(LogFormat value) noexcept {
    return name_of<LogFormat>(kLogFormatNames, value);
}
std::string_view to_string(LogTarget value) noexcept {
    return name_of<LogTarget>(kLogTargetNames, value);
}
std::string_view to_string(ChannelKind value) noexcept {
    return name_of<ChannelKind>(kChannelKindNames, value);
}
std::string_view to_string(Overlap value) noexcept {
    return name_of<Overlap>(kOverlapNames, value);
}

}  // namespace weft::host
