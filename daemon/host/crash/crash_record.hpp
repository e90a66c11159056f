// The crash record: which plugin crashed weftd, and when, kept in weftd's state directory so that
// a plugin that crashes it in a loop is quarantined (not started) at the next start.
//
// The file is `<state directory>/crashes.log`, one line per event, appended with one write(2):
//   <unix seconds> crash <plugin name> <config key>     written by the fatal-signal handler
//   <unix seconds> release <plugin name>                written by `weftd plugin release NAME`
// The config key is a hash of the plugin's `path` and `config`: a crash counts only against the
// configuration it happened with, so changing a plugin's config releases it. A release counts
// the plugin's earlier crashes out.
//
// A plugin is quarantined when it has at least `max_crashes` counted crashes within the last
// `window` (crash_loop.max_crashes and crash_loop.window_minutes; max_crashes 0 turns the
// protection off). The state directory is crash_loop.state_directory, else systemd's
// $STATE_DIRECTORY (StateDirectory=weft), else /var/lib/weft.
//
// Thread-safety: none needed; weftd reads and opens the record once, at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "host/config/config.hpp"

namespace weft::host {

inline constexpr const char* kCrashRecordFile = "crashes.log";
inline constexpr const char* kDefaultStateDirectory = "/var/lib/weft";

// The key of a plugin's configuration in the record: 16 hex digits.
[[nodiscard]] std::string crash_config_key(const PluginConfig& plugin);

// crash_loop.state_directory, else the first entry of $STATE_DIRECTORY, else /var/lib/weft.
[[nodiscard]] std::filesystem::path resolve_state_directory(const Config& config,
                                                            const EnvLookup& env);

struct QuarantineEntry {
    std::size_t crashes = 0;           // counted crashes within the window
    std::int64_t last_crash_unix = 0;  // seconds
};

// The plugins of `config` to quarantine, by name, from the record's text. `now_unix`: seconds.
[[nodiscard]] std::map<std::string, QuarantineEntry, std::less<>> quarantined_plugins(
    std::string_view record_text, const Config& config, std::int64_t now_unix);

class CrashRecord {
   public:
    // Creates the state directory if missing, drops lines older than the window from the file
    // (so it does not grow without bound) and opens it for appending. On failure returns
    // nothing and sets `error` (the path and the reason).
    [[nodiscard]] static std::optional<CrashRecord> open(const std::filesystem::path& directory,
                                                         const Config& config,
                                                         std::int64_t now_unix, std::string& error);
    CrashRecord(CrashRecord&& other) noexcept;
    CrashRecord& operator=(CrashRecord&& other) noexcept;
    CrashRecord(const CrashRecord&) = delete;
    CrashRecord& operator=(const CrashRecord&) = delete;
    ~CrashRecord();

    // The fd to give the crash handler; stays open until this object is destroyed.
    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // What the record held at open (for quarantined_plugins).
    [[nodiscard]] const std::string& text() const noexcept { return text_; }

   private:
    CrashRecord(std::filesystem::path path, int fd, std::string text) noexcept
        : path_(std::move(path)), fd_(fd), text_(std::move(text)) {}
    std::filesystem::path path_;
    int fd_ = -1;
    std::string text_;
};

// Appends "<now> release <name>" to the record in `directory`. False with `error` on failure.
[[nodiscard]] bool release_plugin(const std::filesystem::path& directory, std::string_view name,
                                  std::int64_t now_unix, std::string& error);

// The current time in unix seconds.
[[nodiscard]] std::int64_t unix_now() noexcept;

}  // namespace weft::host
