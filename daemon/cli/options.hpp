// Options shared by the commands that read a config file (run, check-config), and by those that
// talk to a running daemon's admin endpoint (status, metrics).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace weft::cli {

struct ConfigOptions {
    std::filesystem::path config_path;
    // Where relative plugin paths are looked up; empty means plugin_dir.hpp's default.
    std::filesystem::path plugin_dir;
};

struct AdminOptions {
    // The config whose admin.socket to use; unset: the installed config if it exists, else the
    // built-in default socket.
    std::optional<std::filesystem::path> config_path;
    // Overrides the config's socket.
    std::optional<std::filesystem::path> socket;
};

// `weftd plugin release NAME`.
struct ReleaseOptions {
    std::string name;
    std::optional<std::filesystem::path> config_path;
    std::optional<std::filesystem::path> state_dir;
};

}  // namespace weft::cli
