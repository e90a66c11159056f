// Options shared by the commands that read a config file (run, check-config).
#pragma once

#include <filesystem>

namespace weft::cli {

struct ConfigOptions {
    std::filesystem::path config_path;
    // Where relative plugin paths are looked up; empty means plugin_dir.hpp's default.
    std::filesystem::path plugin_dir;
};

}  // namespace weft::cli
