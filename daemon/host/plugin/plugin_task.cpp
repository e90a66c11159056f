#include "host/plugin/plugin_task.hpp"

#include "host/log/poll_subject.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/long_poll_log.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/plugin/task_watch.hpp"

namespace weft::host {

TaskSlot::TaskSlot(PluginInstance& plugin, weft_task_poll_fn poll, void* state,
                   weft_task_drop_fn drop, std::string name)
    : plugin_(plugin),
      poll_(poll),
      state_(state),
      drop_(drop),
      watch_(TaskWatch::make(next_task_number(), std::move(name))) {}

TaskSlot::~TaskSlot() {
    release();
    watch_->release();
}

void TaskSlot::arm() noexcept {
    plugin_.task_watches().add(watch_);
    plugin_.tasks().started();
    plugin_.stats().record_spawn();
    armed_ = true;
}

namespace {

// Ends every poll of a plugin task: its time goes to the plugin's busy time, and a poll past
// the threshold is counted and logged (the runtime's monitor logged it while it ran).
class PollAccounting {
   public:
    PollAccounting(PluginInstance& plugin, PollSubject& subject, TaskWatch& watch) noexcept
        : plugin_(plugin), subject_(subject), watch_(watch), tag_(&subject) {}
    ~PollAccounting() {
        const std::chrono::nanoseconds took = tag_.elapsed();
        watch_.end_poll(took, pending);
        plugin_.stats().record_poll(took);
        const auto threshold = tag_.long_poll_threshold();
        if (threshold.count() > 0 && took >= threshold) {
            plugin_.stats().record_long_poll();
            try {
                log_long_poll_end(subject_, tag_.worker(), took, threshold);
            } catch (...) {  // a log line that cannot be written is lost
            }
        }
    }
    PollAccounting(const PollAccounting&) = delete;
    PollAccounting& operator=(const PollAccounting&) = delete;

    bool pending = false;  // the poll returned WEFT_PENDING

   private:
    PluginInstance& plugin_;
    PollSubject& subject_;
    TaskWatch& watch_;
    const PollTagScope tag_;
};

}  // namespace

void TaskSlot::failed(const std::string& why, const PollSubject& subject) noexcept {
    try {
        const std::string message = describe_task(subject) + " failed: " + why;
        plugin_.log().error("{}", message);
        plugin_.stats().record_failure(message);
    } catch (...) {  // out of memory: the failure still fails the task
    }
}

weft_status TaskSlot::poll(Context& cx) noexcept {
    const CrashScope crash_scope(plugin_.crash_identity(), "task",
                                 reinterpret_cast<const void*>(poll_));
    // The plugin gets the task view's counting waker, which wakes this task (task_watch.hpp).
    Context counted(watch_->begin_poll(cx.waker()));
    ContextImpl context(counted, plugin_);
    PollSubject subject;
    subject.plugin = &plugin_.name();
    subject.task = watch_->task();
    subject.code = reinterpret_cast<const void*>(poll_);
    subject.name = &watch_->name();
    const LogScope log_scope(watch_->task(), subject);
    weft_status status = WEFT_ERR_TASK_FAILED;
    {
        PollAccounting accounting(plugin_, subject, *watch_);
        try {
            status = poll_(state_, &context);
            if (status == WEFT_PENDING) {
                accounting.pending = true;
                return status;
            }
            if (status != WEFT_OK)
                failed(std::string("its poll returned \"") + weft_status_str(status) + "\"",
                       subject);
        } catch (const std::exception& e) {
            failed(std::string("its poll threw an exception: ") + e.what(), subject);
            status = WEFT_ERR_TASK_FAILED;
        } catch (...) {
            failed("its poll threw an exception", subject);
            status = WEFT_ERR_TASK_FAILED;
        }
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
    plugin_.task_watches().remove(watch_);
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

std::string task_name_problem(std::string_view name) {
    if (name.size() > WEFT_TASK_NAME_MAX)
        return "the name is longer than " + std::to_string(WEFT_TASK_NAME_MAX) + " bytes";
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            return "the name holds the control character " + std::to_string(byte) +
                   " (names appear in log lines)";
    }
    return {};
}

weft_status spawn_plugin_task(PluginInstance& plugin, weft_task_poll_fn poll, void* state,
                              weft_task_drop_fn drop, std::shared_ptr<TaskRecord>* record,
                              std::string_view name) {
    try {
        auto slot = std::make_unique<TaskSlot>(plugin, poll, state, drop, std::string(name));
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
