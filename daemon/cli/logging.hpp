// spdlog set-up from the config's `log` section: the default logger, named "weftd", whose sinks
// and format later loggers (one per plugin) clone.
#pragma once

#include "host/config/config.hpp"
#include "host/plugin/plugin_host.hpp"

namespace weft::cli {

// Replaces spdlog's default logger. Text goes to stderr (coloured on a terminal); JSON writes one
// object per line; journald sends each record with its priority (format does not apply).
void configure_logging(const host::LogConfig& config);

// Sets the level of weftd's logger and of every plugin's (SIGHUP).
void set_log_level(host::LogLevel level, const host::PluginHost& plugins);

}  // namespace weft::cli
