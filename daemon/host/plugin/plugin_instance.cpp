#include "host/plugin/plugin_instance.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>

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
        case PluginState::quarantined:
            return "quarantined";
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
      tasks_(services_.idle),
      configs_(),
      config_(nullptr) {
    configs_.push_back(std::make_unique<const nlohmann::json>(nlohmann::json::object()));
    config_.store(configs_.back().get(), std::memory_order_release);
    set_crash_key({});
}

void PluginInstance::set_crash_key(std::string_view key) noexcept {
    Dl_info info{};
    std::uintptr_t base = 0;
    if (::dladdr(&library_.descriptor(), &info) != 0)
        base = reinterpret_cast<std::uintptr_t>(info.dli_fbase);
    const std::string file = path().filename().string();
    crash_.set(name_, file, base, key);
}

HookResult PluginInstance::run_hook(const char* hook, const void* code, HookFunction call) {
    if (stuck_hook_ != nullptr) {
        HookResult r;
        r.status = WEFT_ERR_TIMED_OUT;
        r.abandoned = true;
        r.message = fmt::format("not called: the {} still runs", stuck_hook_);
        return r;
    }
    HookResult r = call_hook_within(services_.hook_timeout, crash_, hook, code, std::move(call));
    if (r.abandoned) {
        stuck_hook_ = hook;
        logger_->error("{} of plugin '{}' {}; the sequence goes on without it", hook, name_,
                       r.message);
    }
    return r;
}
PluginInstance::~PluginInstance() {
    // Normally unload() already ran; this covers a host torn down by an exception.
    if (tasks_.live() == 0 && stuck_hook_ == nullptr && !abandoned_) {
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
    configs_.push_back(std::make_unique<const nlohmann::json>(config));
    config_.store(configs_.back().get(), std::memory_order_release);
    // Everything the hook may touch is owned by `call`, which the hook's thread shares: a hook
    // abandoned past its deadline may still write to it.
    struct InitCall {
        std::string text;
        weft_init_args args{};
        void* instance = nullptr;
    };
    auto call = std::make_shared<InitCall>();
    call->text = config.dump();
    call->args.size = sizeof call->args;
    call->args.api = &host_api();
    call->args.host = this;
    call->args.config_json = call->text.c_str();
    call->args.config_len = call->text.size();
    call->args.instance_name = name_.c_str();
    const auto& d = descriptor();
    const auto init = d.init;
    const HookResult r = run_hook(
        "hook init", reinterpret_cast<const void*>(init),
        [call, init](char* e, std::size_t n) { return init(&call->args, &call->instance, e, n); });
    if (!r.ok()) {
        logger_->error("init failed ({}): {}", path().string(), r.message);
        mark_failed("init failed: " + r.message);
        return false;
    }
    instance_ = call->instance;
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
        const auto start = d.start;
        void* instance = instance_;
        const HookResult r =
            run_hook("hook start", reinterpret_cast<const void*>(start),
                     [start, instance](char* e, std::size_t n) { return start(instance, e, n); });
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

bool PluginInstance::can_reconfigure() const noexcept {
    if (!library_.is_open()) return false;
    const weft_plugin_descriptor& d = descriptor();
    return d.abi_minor >= 4 &&
           d.size >= offsetof(weft_plugin_descriptor, reconfigure) + sizeof d.reconfigure &&
           d.reconfigure != nullptr;
}

bool PluginInstance::reconfigure(const nlohmann::json& config, std::string& why) {
    if (state_ != PluginState::running) {
        why = fmt::format("it is {}", to_string(state_.load()));
        return false;
    }
    if (!can_reconfigure()) {
        why = "it has no reconfigure hook";
        return false;
    }
    // Shared with the hook's thread, which outlives this call if the hook hangs.
    auto text = std::make_shared<const std::string>(config.dump());
    const auto hook = descriptor().reconfigure;
    void* instance = instance_;
    const HookResult r = run_hook("hook reconfigure", reinterpret_cast<const void*>(hook),
                                  [hook, instance, text](char* e, std::size_t n) {
                                      return hook(instance, text->c_str(), text->size(), e, n);
                                  });
    if (!r.ok()) {
        why = r.message;
        return false;
    }
    configs_.push_back(std::make_unique<const nlohmann::json>(config));
    config_.store(configs_.back().get(), std::memory_order_release);
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
        const auto stop = d.stop;
        void* instance = instance_;
        const HookResult r =
            run_hook("hook stop", reinterpret_cast<const void*>(stop),
                     [stop, instance](char* e, std::size_t n) { return stop(instance, e, n); });
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

void PluginInstance::cancel_tasks_keeping_blocking_jobs() { tasks_.abort_tasks(); }

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
            const auto destroy = d.destroy;
            void* instance = instance_;
            const HookResult r = run_hook("hook destroy", reinterpret_cast<const void*>(destroy),
                                          [destroy, instance](char*, std::size_t) {
                                              destroy(instance);
                                              return WEFT_OK;
                                          });
            if (r.abandoned) {
                mark_failed("destroy " + r.message);
                return;  // it may still use what the plugin holds: nothing is closed
            }
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

void PluginInstance::abandon(std::string_view why) {
    if (abandoned_) return;
    abandoned_ = true;
    logger_->error(
        "{}: destroy is not called and the library stays loaded until weftd exits (plugin.h: "
        "destroy only runs once every task and job of the plugin was dropped)",
        why);
    library_.leak();
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
