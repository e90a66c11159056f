// The top level of the document: which sections exist, in which order they are read.
#include "host/config/schema.hpp"

namespace weft::host {
namespace {

bool is_name_char(char c, bool allow_dot) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || (allow_dot && c == '.');
}

bool is_name(std::string_view name, bool allow_dot) noexcept {
    if (name.empty()) return false;
    for (char c : name) {
        if (!is_name_char(c, allow_dot)) return false;
    }
    return true;
}

}  // namespace

bool claim_name(NameIndex& index, const std::string& name, const std::string& entry_path,
                std::string_view what, Diagnostics& diag) {
    const auto [it, inserted] = index.emplace(name, entry_path);
    if (inserted) return true;
    diag.error(child_path(entry_path, "name"),
               fmt::format("duplicate {} name \"{}\" (first used at {})", what, name, it->second));
    return false;
}

bool is_plugin_name(std::string_view name) noexcept { return is_name(name, false); }
bool is_object_name(std::string_view name) noexcept { return is_name(name, true); }

Config read_config_document(const Json& root, Diagnostics& diag) {
    Config config;
    // "$schema" lets editors find config/weftd.schema.json; weftd itself ignores its value.
    const ObjectReader top(root, "", diag,
                           {"$schema", "runtime", "shutdown", "crash_loop", "log", "admin",
                            "channels", "semaphores", "pools", "plugins", "jobs"});
    if (!top.is_object()) return config;
    (void)top.string("$schema");
    if (const Json* v = top.find("runtime")) {
        read_runtime_section(*v, top.path_of("runtime"), diag, config.runtime);
    }
    if (const Json* v = top.find("shutdown")) {
        read_shutdown_section(*v, top.path_of("shutdown"), diag, config.shutdown);
    }
    if (const Json* v = top.find("crash_loop")) {
        read_crash_loop_section(*v, top.path_of("crash_loop"), diag, config.crash_loop);
    }
    if (const Json* v = top.find("log")) {
        read_log_section(*v, top.path_of("log"), diag, config.log);
    }
    if (const Json* v = top.find("admin")) {
        read_admin_section(*v, top.path_of("admin"), diag, config.admin);
    }
    if (const Json* v = top.find("channels")) {
        read_channels_section(*v, top.path_of("channels"), diag, config);
    }
    if (const Json* v = top.find("semaphores")) {
        read_semaphores_section(*v, top.path_of("semaphores"), diag, config);
    }
    if (const Json* v = top.find("pools")) {
        read_pools_section(*v, top.path_of("pools"), diag, config);
    }
    NameIndex plugin_names;
    if (const Json* v = top.find("plugins")) {
        plugin_names = read_plugins_section(*v, top.path_of("plugins"), diag, config);
    }
    if (const Json* v = top.find("jobs")) {
        read_jobs_section(*v, top.path_of("jobs"), diag, plugin_names, config);
    }
    return config;
}

}  // namespace weft::host
