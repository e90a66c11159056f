#include "cli/config_reload.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/count_of.hpp"
#include "cli/logging.hpp"
#include "cli/systemd.hpp"
#include "host/daemon/config_check.hpp"
#include "host/daemon/config_diff.hpp"

namespace weft::cli {
namespace {

using Outcome = host::ReloadOutcome;

// "added plugin 'b', restarted plugin 'c'" or "nothing changed".
std::string summary_of(const Outcome& o) {
    std::string text;
    switch (o.result) {
        case Outcome::Result::invalid:
            return fmt::format("{} in {}; nothing changed", count_of(o.errors.size(), "error"),
                               o.file);
        case Outcome::Result::ignored:
            return "ignored: weftd is shutting down";
        case Outcome::Result::applied:
            text = o.changes.empty() ? "nothing changed"
                                     : fmt::format("{}", fmt::join(o.changes, ", "));
            break;
    }
    if (!o.failures.empty()) text += fmt::format("; failed: {}", fmt::join(o.failures, "; "));
    if (!o.needs_restart.empty())
        text += fmt::format("; {} changed but take effect at the next restart",
                            fmt::join(o.needs_restart, ", "));
    return text;
}

}  // namespace

ConfigReloader::ConfigReloader(std::filesystem::path file, std::filesystem::path plugin_dir,
                               host::Coordinator& plugins, AdminRestart restart_admin)
    : file_(std::move(file)),
      plugin_dir_(std::move(plugin_dir)),
      plugins_(plugins),
      restart_admin_(std::move(restart_admin)) {}

host::ReloadOutcome ConfigReloader::reload(std::string_view trigger) {
    Outcome o;
    o.trigger = std::string(trigger);
    o.file = file_.string();
    if (shutting_down_) {
        o.result = Outcome::Result::ignored;
        o.at = std::chrono::system_clock::now();
        spdlog::warn("reload asked for by {} ignored: weftd is shutting down", trigger);
        return o;  // not recorded: /status keeps the last real reload
    }
    o.number = ++count_;
    spdlog::info("reload #{} ({}): reading {}", o.number, trigger, o.file);
    // MONOTONIC_USEC: systemd (Type=notify-reload) tells this reload from an older one by it.
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    notify_systemd(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the config",
                               static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
                                   static_cast<std::uint64_t>(now.tv_nsec) / 1'000));

    // The main thread, which feeds systemd's watchdog between signals, is busy for as long as
    // plugins take to drain: keep feeding it meanwhile.
    std::optional<std::jthread> watchdog;
    if (const auto ping = watchdog_ping_interval()) {
        watchdog.emplace([interval = *ping](std::stop_token stop) {
            std::mutex m;
            std::condition_variable_any cv;
            std::unique_lock lock(m);
            while (!stop.stop_requested()) {
                // Returns at the interval, or at once when the reload is over.
                static_cast<void>(cv.wait_for(lock, stop, interval, [] { return false; }));
                if (!stop.stop_requested()) notify_systemd("WATCHDOG=1");
            }
        });
    }

    // 1. Judged as check-config judges it.
    host::ConfigCheck check = host::check_config_file(file_, plugin_dir_);
    if (!check.ok()) {
        o.result = Outcome::Result::invalid;
        o.errors = std::move(check.errors);
    } else {
        // 2. The difference, applied.
        const host::Config before = plugins_.config();
        const host::Config& next = *check.config;
        const host::ConfigDiff diff = host::diff_configs(before, next);
        host::Coordinator::ApplyReport applied = plugins_.apply(next);
        if (!applied.refused.empty()) {
            o.result = Outcome::Result::invalid;
            for (const auto& r : applied.refused) o.errors.push_back(o.file + ": " + r);
        } else {
            o.result = Outcome::Result::applied;
            o.changes = std::move(applied.changes);
            o.failures = std::move(applied.failures);
            o.needs_restart = diff.needs_restart;
            // 3. The sections weftd itself applies.
            if (diff.log_changed) {
                reconfigure_logging(next.log, plugins_);
                if (before.log.level != next.log.level)
                    o.changes.push_back(fmt::format("log level {} -> {}",
                                                    host::to_string(before.log.level),
                                                    host::to_string(next.log.level)));
                if (before.log.format != next.log.format || before.log.target != next.log.target)
                    o.changes.push_back(fmt::format("log {} to {}",
                                                    host::to_string(next.log.format),
                                                    host::to_string(next.log.target)));
            }
            if (diff.admin_changed && restart_admin_) {
                restart_admin_(next.admin);
                o.changes.push_back("admin endpoint reopened");
            }
            if (diff.shutdown_changed) o.changes.push_back("shutdown settings");
        }
    }
    for (const std::string& error : o.errors) spdlog::error("reload #{}: {}", o.number, error);
    // 4. One line says it all.
    o.at = std::chrono::system_clock::now();
    const std::string summary = summary_of(o);
    if (o.result == Outcome::Result::invalid)
        spdlog::error("reload #{} ({}): invalid: {}", o.number, trigger, summary);
    else if (!o.failures.empty())
        spdlog::warn("reload #{} ({}): applied: {}", o.number, trigger, summary);
    else
        spdlog::info("reload #{} ({}): applied: {}", o.number, trigger, summary);
    plugins_.record_reload(o);
    notify_systemd("READY=1\nSTATUS=running");
    return o;
}

}  // namespace weft::cli
