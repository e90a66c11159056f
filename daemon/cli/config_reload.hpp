// SIGHUP (`systemctl reload weftd`): re-reads the config file and applies what can change without
// a restart. Today that is the log level, of weftd's logger and every plugin's. Every other
// section that changed is named in a warning: it takes effect at the next restart. An invalid
// file changes nothing: its errors are logged and the running config stays.
//
// Thread-safety: reload() runs on the main thread (the signal loop's), one at a time.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"

namespace weft::cli {

class ConfigReloader {
   public:
    // `running` is the config weftd started with, read from `file`.
    ConfigReloader(std::filesystem::path file, const host::Config& running,
                   const host::Coordinator& plugins);

    void reload();

   private:
    std::filesystem::path file_;
    host::LogLevel level_;
    const host::Coordinator& plugins_;
    // The file's document at start: what is in effect, but for the log level.
    const nlohmann::json in_effect_;
};

}  // namespace weft::cli
