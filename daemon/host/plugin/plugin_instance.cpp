#include "host/plugin/plugin_instance.hpp"

#include <spdlog/spdlog.h>

#include "host/plugin/hook_call.hpp"

namespace weft::host {

std::string_view to_string(PluginState state) noexcept {
    switch (state) {
        case PluginState::loaded:
            return "loaded";
        case PluginState::initialised:
            return "initialised";
        case PluginState::running:
            return "running";
        case PluginState::stopping:
            return "stopping";
        case PluginState::stopped:
            return "stopped";
        case PluginState::failed:
            return "failed";
        case PluginState::unloaded:
            return "unloaded";
    }
    return "unknown";
}

PluginInstance::PluginInstance(std::string name, PluginLibrary library, HostServices services)
    : weft_host{&host_api()},
      name_(std::move(name)),
      library_(std::move(library)),
      plugin_name_(library_.descriptor().name),
      plugin_version_(library_.descriptor().version),
      abi_(abi_string(library_.descriptor().abi_major, library_.descriptor().abi_minor)),
      services_(std::move(services)),
      logger_(spdlog::default_logger()->clone(name_)),
      tasks_(services_.idle) {}

PluginInstance::~PluginInstance() {
    // Normally unload() already ran; this covers a host torn down by an exception.
    if (tasks_.live() == 0) {
        handles_.close_all();
        library_.close();
    } else {
        library_.leak();
    }
}

void PluginInstance::mark_failed(std::string reason) {
    {
        std::lock_guard lock(failure_mutex_);
        if (failure_.empty()) failure_ = std::move(reason);
    }
    state_ = PluginState::failed;
}

bool PluginInstance::init(const nlohmann::json& config) {
    config_ = config;
    const std::string text = config.dump();
    weft_init_args args{};
    args.size = sizeof args;
    args.api = &host_api();
    args.host = this;
    args.config_json = text.c_str();
    args.config_len = text.size();
    args.instance_name = name_.c_str();
    void* instance = nullptr;
    const auto& d = descriptor();
    const HookResult r =
        call_hook([&](char* e, std::size_t n) { return d.init(&args, &instance, e, n); });
    if (!r.ok()) {
        logger_->error("init failed ({}): {}", path().string(), r.message);
        mark_failed("init failed: " + r.message);
        return false;
    }
    instance_ = instance;
    initialised_ = true;
    state_ = PluginState::initialised;
    logger_->debug("initialised ({} {}, ABI {}.{}, {})", d.name, d.version, d.abi_major,
                   d.abi_minor, path().string());
    return true;
}

bool PluginInstance::start() {
    if (state_ != PluginState::initialised) return false;
    const auto& d = descriptor();
    if (d.start) {
        const HookResult r =
            call_hook([&](char* e, std::size_t n) { return d.start(instance_, e, n); });
        if (!r.ok()) {
            logger_->error("start failed: {}", r.message);
            mark_failed("start failed: " + r.message);
            return false;
        }
    }
    state_ = PluginState::running;
    logger_->info("started ({} {})", d.name, d.version);
    return true;
}

void PluginInstance::request_shutdown() {
    if (state_ == PluginState::running || state_ == PluginState::initialised)
        state_ = PluginState::stopping;
    token_.fire();
}

void PluginInstance::stop() {
    if (!initialised_ || destroyed_) return;
    const auto& d = descriptor();
    if (state_ != PluginState::stopping) return;  // only a plugin that ran is stopped
    if (d.stop) {
        const HookResult r =
            call_hook([&](char* e, std::size_t n) { return d.stop(instance_, e, n); });
        if (!r.ok()) {
            logger_->error("stop failed: {}", r.message);
            mark_failed("stop failed: " + r.message);
            return;
        }
    }
    state_ = PluginState::stopped;
}

void PluginInstance::retire_senders() noexcept {
    try {
        handles_.for_each([](OwnedHandle& h) { h.retire(); });
    } catch (...) {  // for_each only throws if std::function does; nothing to recover
    }
}

void PluginInstance::cancel_tasks() { tasks_.abort_all(); }

bool PluginInstance::wait_tasks_until(std::chrono::steady_clock::time_point deadline) {
    return tasks_.wait_idle_until(deadline);
}

void PluginInstance::destroy() {
    // Before the destroy hook, which may free what a registration's user_data points into.
    job_functions_.release_all([&](const std::string& job, const char* what) {
        logger_->error("the drop function of job task '{}' threw an exception: {}", job, what);
    });
    if (initialised_ && !destroyed_) {
        destroyed_ = true;
        const auto& d = descriptor();
        if (d.destroy) {
            const HookResult r = call_hook([&](char*, std::size_t) {
                d.destroy(instance_);
                return WEFT_OK;
            });
            if (!r.ok()) {
                logger_->error("destroy failed: {}", r.message);
                mark_failed("destroy failed: " + r.message);
            }
        }
        instance_ = nullptr;
    }
    const auto left = handles_.close_all();
    if (!left.empty()) {
        std::string list;
        for (const auto& [kind, n] : left)
            list += fmt::format("{}{} {}", list.empty() ? "" : ", ", n, kind);
        logger_->debug("closed what the plugin left open: {}", list);
    }
    if (const auto held = messages_held.load(); held > 0)
        logger_->warn("{} received messages were never released (weft_message_release)", held);
}

void PluginInstance::unload() {
    if (!library_.is_open()) return;
    if (tasks_.live() != 0) {
        logger_->error(
            "{} tasks could not be cancelled (a poll never returned?): the library "
            "stays loaded",
            tasks_.live());
        library_.leak();
        return;
    }
    library_.close();
    if (state_ != PluginState::failed) state_ = PluginState::unloaded;
    logger_->debug("unloaded {}", path().string());
}

}  // namespace weft::host
