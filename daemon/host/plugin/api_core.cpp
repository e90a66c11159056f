// Host function table: host, logging, metrics, contexts, wakers, operations.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {
namespace {

spdlog::level::level_enum to_spdlog(weft_log_level level) noexcept {
    switch (level) {
        case WEFT_LOG_TRACE:
            return spdlog::level::trace;
        case WEFT_LOG_DEBUG:
            return spdlog::level::debug;
        case WEFT_LOG_INFO:
            return spdlog::level::info;
        case WEFT_LOG_WARN:
            return spdlog::level::warn;
        case WEFT_LOG_ERROR:
            return spdlog::level::err;
        case WEFT_LOG_CRITICAL:
            return spdlog::level::critical;
    }
    return level < WEFT_LOG_TRACE ? spdlog::level::trace : spdlog::level::critical;
}

class WakerHandle final : public weft_waker, public OwnedHandle {
   public:
    WakerHandle(PluginInstance& plugin, Waker waker) noexcept
        : weft_waker{&host_api()}, plugin_(plugin), waker_(std::move(waker)) {}
    [[nodiscard]] const char* handle_kind() const noexcept override { return "waker"; }
    [[nodiscard]] static WakerHandle& of(weft_waker* w) noexcept {
        return static_cast<WakerHandle&>(*w);
    }
    void wake_by_ref() const noexcept { waker_.wake_by_ref(); }
    // Wakes and deletes this handle.
    void wake_and_close() noexcept {
        Waker w = std::move(waker_);
        plugin_.handles().close(this);
        w.wake();
    }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    Waker waker_;
};

const char* host_name(weft_host* h) { return h ? PluginInstance::of(h).name().c_str() : ""; }

const char* api_last_error() { return last_error(); }

void log(weft_host* h, weft_log_level level, const char* message, std::size_t len) {
    if (!h) return;
    try {
        std::string_view text = message ? std::string_view(message, len) : std::string_view();
        // A C string passed with its terminator counted: drop it rather than print it.
        while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
        PluginInstance::of(h).log().log(to_spdlog(level), "{}", text);
    } catch (...) {  // a log line is never worth an exception across the ABI
    }
}

int log_enabled(weft_host* h, weft_log_level level) {
    return h && PluginInstance::of(h).log().should_log(to_spdlog(level)) ? 1 : 0;
}

weft_status metrics_read(weft_host* h, weft_metrics* out) {
    if (!h || !out) return invalid("weft_metrics_read: NULL argument");
    if (out->size < offsetof(weft_metrics, workers) + sizeof(out->workers))
        return invalid("weft_metrics_read: out->size is not set (use sizeof(weft_metrics))");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        const RuntimeMetrics m = plugin.runtime().metrics();
        weft_metrics full{};
        full.size = out->size;
        full.workers = m.num_workers;
        full.alive_tasks = m.alive_tasks;
        full.spawned_tasks = m.spawned_tasks;
        full.global_queue_depth = m.global_queue_depth;
        full.blocking_threads = m.blocking_threads;
        full.idle_blocking_threads = m.idle_blocking_threads;
        full.blocking_queue_depth = m.blocking_queue_depth;
        for (const WorkerMetrics& w : m.workers) {
            full.polls += w.polls;
            full.steals += w.steals;
            full.parks += w.parks;
            full.budget_forced_yields += w.budget_forced_yields;
        }
        full.plugin_tasks = plugin.tasks().live();
        // Only as much as the plugin's struct holds: an older plugin has a shorter one.
        std::memcpy(out, &full, std::min(out->size, sizeof full));
        return WEFT_OK;
    });
}

void context_wake(weft_context* c) {
    if (c) context_of(c).cx.waker().wake_by_ref();
}

weft_status context_waker(weft_context* c, weft_waker** out) {
    if (!c || !out) return invalid("weft_context_waker: NULL argument");
    return guarded([&] {
        auto& cx = context_of(c);
        auto handle = std::make_unique<WakerHandle>(cx.plugin, cx.cx.waker().clone());
        cx.plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

void waker_wake(weft_waker* w) {
    if (w) WakerHandle::of(w).wake_and_close();
}
void waker_wake_by_ref(weft_waker* w) {
    if (w) WakerHandle::of(w).wake_by_ref();
}
void waker_drop(weft_waker* w) {
    if (w) WakerHandle::of(w).close();
}

void op_cancel(weft_op* op) {
    // Destroying the operation is its cancellation: each kind's destructor deregisters it and
    // hands on what it was given (see each operation's class).
    delete static_cast<OpBase*>(op);
}

}  // namespace

void fill_core_api(weft_host_api& api) noexcept {
    api.host_name = host_name;
    api.last_error = api_last_error;
    api.log = log;
    api.log_enabled = log_enabled;
    api.metrics_read = metrics_read;
    api.context_wake = context_wake;
    api.context_waker = context_waker;
    api.waker_wake = waker_wake;
    api.waker_wake_by_ref = waker_wake_by_ref;
    api.waker_drop = waker_drop;
    api.op_cancel = op_cancel;
}

}  // namespace weft::host
