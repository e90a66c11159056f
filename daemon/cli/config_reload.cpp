#include "cli/config_reload.hpp"
#include "cli/count_of.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/logging.hpp"
#include "cli/systemd.hpp"
#include "host/config/error_count.hpp"

namespace weft::cli {
namespace {

// The file's JSON document, or null if it cannot be read (load_config reports why).
nlohmann::json read_document(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return nullptr;
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return doc.is_discarded() ? nlohmann::json() : doc;
}

nlohmann::json without_level(nlohmann::json log) {
    if (log.is_object()) log.erase("level");
    return log;
}

// Top-level sections that differ, the log level aside ("$schema" is only for editors).
std::vector<std::string> changed_sections(const nlohmann::json& before,
                                          const nlohmann::json& after) {
    std::set<std::string> keys;
    for (const auto* doc : {&before, &after}) {
        if (!doc->is_object()) continue;
        for (const auto& [key, value] : doc->items()) keys.insert(key);
    }
    std::vector<std::string> changed;
    for (const std::string& key : keys) {
        if (key == "$schema") continue;
        const auto old_value = before.value(key, nlohmann::json());
        const auto new_value = after.value(key, nlohmann::json());
        const bool differs = key == "log" ? without_level(old_value) != without_level(new_value)
                                          : old_value != new_value;
        if (differs) changed.push_back(key);
    }
    return changed;
}

}  // namespace

ConfigReloader::ConfigReloader(std::filesystem::path file, const host::Config& running,
                               const host::Coordinator& plugins)
    : file_(std::move(file)),
      level_(running.log.level),
      plugins_(plugins),
      in_effect_(read_document(file_)) {}

void ConfigReloader::reload() {
    spdlog::info("received SIGHUP: reloading {}", file_.string());
    notify_systemd("RELOADING=1\nSTATUS=reloading the config");
    const host::ConfigResult result = host::load_config(file_);
    if (!result.ok()) {
        for (const std::string& error : result.errors) spdlog::error("reload: {}", error);
        spdlog::error("reload: {} in {}; the running config stays",
                      count_of(host::count_errors(result), "error"), file_.string());
        notify_systemd("READY=1\nSTATUS=running");
        return;
    }
    const nlohmann::json document = read_document(file_);
    const std::vector<std::string> restart = changed_sections(in_effect_, document);
    const host::LogLevel level = result.config->log.level;
    if (level != level_) {
        set_log_level(level, plugins_);
        spdlog::info("reload: log level {} -> {}", host::to_string(level_), host::to_string(level));
        level_ = level;
    }
    if (restart.empty()) {
        spdlog::info("reload: done");
    } else {
        spdlog::warn("reload: {} changed in {}: this takes effect at the next restart",
                     fmt::join(restart, ", "), file_.string());
    }
    notify_systemd("READY=1\nSTATUS=running");
}

}  // namespace weft::cli
