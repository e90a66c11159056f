// spdlog set-up from the config's `log` section: the default logger, named "weftd", whose sinks
// and format later loggers (one per plugin) clone.
#pragma once

#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"

namespace weft::cli {

// Replaces spdlog's default logger. Text goes to stderr (coloured on a terminal); JSON writes one
// object per line; journald sends each record natively with its priority and the fields
// WEFT_PLUGIN=, WEFT_TASK=, WEFT_JOB= (format does not apply). Under systemd (JOURNAL_STREAM
// names stderr) the "stderr" target goes to the journal natively too; should the journal's
// socket be missing, stderr lines then start with sd-daemon's "<N>" priority prefix. The
// "journald" target without a journal socket logs to stderr, with one warning saying so.
void configure_logging(const host::LogConfig& config);

// A live reload's new `log` section: target, format and level at once, for weftd's logger and
// every plugin's (they all write through one sink, whose destination this replaces).
void reconfigure_logging(const host::LogConfig& config, const host::Coordinator& plugins);

// Sets the level of weftd's logger and of every plugin's (SIGHUP).
void set_log_level(host::LogLevel level, const host::Coordinator& plugins);

}  // namespace weft::cli
