// Host function table: tasks and the blocking pool.
#include <cstring>
#include <string>
#include <string_view>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/blocking_job.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/plugin/plugin_task.hpp"

namespace weft::host {
namespace {

// A plugin's join handle. Shares the host's record of the task (the record's JoinHandle is the
// only one); once the outcome is known it is kept, so joining again gives the same status.
class TaskHandle final : public weft_task, public OwnedHandle {
   public:
    explicit TaskHandle(PluginInstance& plugin) noexcept
        : weft_task{&host_api()}, plugin_(plugin) {}
    void set_record(std::shared_ptr<TaskRecord> record) noexcept { record_ = std::move(record); }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "task handle"; }
    [[nodiscard]] static TaskHandle& of(weft_task* t) noexcept {
        return static_cast<TaskHandle&>(*t);
    }

    weft_status join(Context& cx) noexcept {
        if (outcome_ != WEFT_PENDING) return outcome_;
        if (!record_->join.poll(cx)) return WEFT_PENDING;
        try {
            const int status = record_->join.take_output();
            outcome_ = status == WEFT_OK ? WEFT_OK : WEFT_ERR_TASK_FAILED;
        } catch (const JoinError& e) {
            outcome_ = e.is_cancelled() ? WEFT_ERR_CANCELLED : WEFT_ERR_TASK_FAILED;
        } catch (...) {
            outcome_ = WEFT_ERR_TASK_FAILED;
        }
        return outcome_;
    }
    void abort() const noexcept { record_->join.abort(); }
    [[nodiscard]] bool is_finished() const noexcept { return record_->join.is_finished(); }
    void release() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<TaskRecord> record_;
    weft_status outcome_ = WEFT_PENDING;
};

// The body of weft_task_spawn and weft_task_spawn_named (`call` names it in errors).
weft_status spawn_task(const char* call, weft_host* h, std::string_view name,
                       weft_task_poll_fn poll, void* state, weft_task_drop_fn drop,
                       weft_task** join) {
    if (!h || !poll) return invalid(std::string(call) + ": NULL host or poll function");
    if (join) *join = nullptr;
    return guarded([&] {
        if (const std::string problem = task_name_problem(name); !problem.empty()) {
            set_last_error(std::string(call) + ": " + problem);
            return WEFT_ERR_INVALID_ARGUMENT;
        }
        auto& plugin = PluginInstance::of(h);
        std::shared_ptr<TaskRecord> record;
        // Everything that may fail comes before the spawn: after a successful spawn the state
        // belongs to the host, so the call must not fail any more.
        TaskHandle* handle = nullptr;
        if (join) {
            auto owned = std::make_unique<TaskHandle>(plugin);
            plugin.handles().add(owned.get());
            handle = owned.release();
        }
        const weft_status status =
            spawn_plugin_task(plugin, poll, state, drop, join ? &record : nullptr, name);
        if (status != WEFT_OK) {
            if (handle) plugin.handles().close(handle);
            if (status == WEFT_ERR_SHUTDOWN)
                set_last_error(std::string(call) + ": plugin '" + plugin.name() +
                               "' is shutting down or failed: no new tasks");
            return status;
        }
        if (handle) {
            handle->set_record(std::move(record));
            *join = handle;
        }
        return WEFT_OK;
    });
}

weft_status task_spawn(weft_host* h, weft_task_poll_fn poll, void* state, weft_task_drop_fn drop,
                       weft_task** join) {
    return spawn_task("weft_task_spawn", h, {}, poll, state, drop, join);
}

weft_status task_spawn_named(weft_host* h, const char* name, weft_task_poll_fn poll, void* state,
                             weft_task_drop_fn drop, weft_task** join) {
    // Measured before it is copied: an absurd length is refused, not copied.
    const std::string_view view =
        name ? std::string_view(name, ::strnlen(name, WEFT_TASK_NAME_MAX + 1)) : std::string_view{};
    return spawn_task("weft_task_spawn_named", h, view, poll, state, drop, join);
}

weft_status task_join(weft_context* c, weft_task* t) {
    if (!c || !t) return invalid("weft_task_join: NULL argument");
    return TaskHandle::of(t).join(context_of(c).cx);
}

void task_abort(weft_task* t) {
    if (t) TaskHandle::of(t).abort();
}

int task_is_finished(weft_task* t) { return t && TaskHandle::of(t).is_finished() ? 1 : 0; }

void task_release(weft_task* t) {
    if (t) TaskHandle::of(t).release();
}

}  // namespace

void fill_task_api(weft_host_api& api) noexcept {
    api.task_spawn = task_spawn;
    api.task_spawn_named = task_spawn_named;
    api.task_join = task_join;
    api.task_abort = task_abort;
    api.task_is_finished = task_is_finished;
    api.task_release = task_release;
    fill_blocking_api(api);
}

}  // namespace weft::host
