// A live reload (`systemctl reload weftd`'s SIGHUP, `weftd reload`'s POST /reload), in order:
//
//   1. RELOADING=1 to systemd; the file is judged exactly as `weftd check-config` judges it
//      (host/daemon/config_check.hpp: the config's own rules, the environment's overrides, the
//      plugins' manifests and validate hooks). Any error: nothing changes, each error is logged
//      and returned.
//   2. the coordinator applies the difference (host/daemon/coordinator.hpp, steps R1-R9:
//      plugins, jobs, channels, semaphores, pools); a channel, semaphore or pool that cannot
//      change live refuses the whole reload, as an error;
//   3. the `log` section (target, format, level) and the `admin` section (the endpoint is
//      reopened) apply at once; `shutdown` applies to the next drain and to the shutdown;
//      `runtime` and `crash_loop` are named as needing a restart;
//   4. one summary line in the log, the outcome recorded for /status, READY=1 to systemd.
//
// A reload asked for during another waits for it: every reload runs on weftd's main thread, one
// at a time. Once the shutdown began, a reload is ignored and logged.
//
// Thread-safety: reload() and begin_shutdown() on the main thread (the signal loop's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"
#include "host/daemon/reload_outcome.hpp"

namespace weft::cli {

class ConfigReloader {
   public:
    // Reopens the admin endpoint with a new `admin` section.
    using AdminRestart = std::function<void(const host::AdminConfig&)>;

    ConfigReloader(std::filesystem::path file, std::filesystem::path plugin_dir,
                   host::Coordinator& plugins, AdminRestart restart_admin);

    // `trigger` names who asked ("SIGHUP", "admin endpoint") in the log and the outcome.
    host::ReloadOutcome reload(std::string_view trigger);
    // From now on reload() ignores requests (and logs each).
    void begin_shutdown() noexcept { shutting_down_ = true; }

   private:
    std::filesystem::path file_;
    std::filesystem::path plugin_dir_;
    host::Coordinator& plugins_;
    AdminRestart restart_admin_;
    std::uint64_t count_ = 0;
    bool shutting_down_ = false;
};

}  // namespace weft::cli
