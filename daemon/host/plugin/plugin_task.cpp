#include "host/plugin/plugin_task.hpp"

#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {

void TaskSlot::arm() noexcept {
    plugin_.tasks().started();
    armed_ = true;
}

weft_status TaskSlot::poll(Context& cx) noexcept {
    const CrashScope crash_scope(plugin_.crash_identity(), "task",
                                 reinterpret_cast<const void*>(poll_));
    ContextImpl context(cx, plugin_);
    const LogScope log_scope(number_);
    weft_status status = WEFT_ERR_TASK_FAILED;
    try {
        status = poll_(state_, &context);
        if (status == WEFT_PENDING) return status;
        if (status != WEFT_OK)
            plugin_.log().error("task failed (its poll returned \"{}\")", weft_status_str(status));
    } catch (const std::exception& e) {
        plugin_.log().error("task failed: its poll threw an exception: {}", e.what());
        status = WEFT_ERR_TASK_FAILED;
    } catch (...) {
        plugin_.log().error("task failed: its poll threw an exception");
        status = WEFT_ERR_TASK_FAILED;
    }
    if (status != WEFT_OK) status = WEFT_ERR_TASK_FAILED;
    release();  // "drop: called exactly once, after the last poll"
    return status;
}

void TaskSlot::release() noexcept {
    if (!armed_) return;
    armed_ = false;
    if (drop_) {
        const CrashScope scope(plugin_.crash_identity(), "task drop",
                               reinterpret_cast<const void*>(drop_));
        try {
            drop_(state_);
        } catch (const std::exception& e) {
            plugin_.log().error("a task's drop function threw an exception: {}", e.what());
        } catch (...) {
            plugin_.log().error("a task's drop function threw an exception");
        }
    }
    // Last: after this the plugin may be unloaded.
    plugin_.tasks().ended();
}

Task<int> run_plugin_task(std::unique_ptr<TaskSlot> slot) {
    // The slot moves into a local so that the state is dropped when the body ends, not when
    // the frame is freed (which waits for the JoinHandle). Cancelled before its first poll, the
    // frame's parameter copy drops it instead.
    PluginFuture future(std::move(slot));
    co_await future;
    co_return future.await_resume();
}

weft_status spawn_plugin_task(PluginInstance& plugin, weft_task_poll_fn poll, void* state,
                              weft_task_drop_fn drop, std::shared_ptr<TaskRecord>* record) {
    try {
        auto slot = std::make_unique<TaskSlot>(plugin, poll, state, drop);
        TaskSlot* raw = slot.get();
        Task<int> task = run_plugin_task(std::move(slot));
        if (!plugin.tasks().spawn(
                plugin.runtime(), task, [raw] { raw->arm(); }, record))
            return WEFT_ERR_SHUTDOWN;  // `task` is destroyed with the slot unarmed
        return WEFT_OK;
    } catch (const std::bad_alloc&) {
        return WEFT_ERR_NO_MEMORY;
    }
}

}  // namespace weft::host
