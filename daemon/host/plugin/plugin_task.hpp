// A plugin task on the runtime: a weft::Task<int> whose one await is a PluginFuture, the
// Pollable that calls the plugin's poll function (plugin.h's futures across the ABI).
//
// Each poll of the runtime task builds a weft_context around the runtime's Context (so the
// plugin's host calls register this task's waker) and calls the plugin's poll. WEFT_PENDING
// keeps the task parked; anything else completes it, with that status as the task's output.
// The runtime polls the same PluginFuture again at each wake and resumes the coroutine only when
// it is ready, so a spurious wake costs one call of the plugin's poll.
//
// Ownership of the plugin's state: a TaskSlot holds (poll, state, drop). It is "armed" only once
// the task is accepted by the plugin's TaskTracker: from then on the slot calls drop exactly once,
// either right after the final poll, or when the runtime destroys the task's frame (abort,
// shutdown), even before a first poll; then it decrements the plugin's live-task count. A slot
// never armed never calls drop (the plugin still owns its state after a failed spawn).
//
// Exceptions: the plugin's poll and drop are called inside try/catch; an exception is logged
// with the plugin's name and fails the task (WEFT_ERR_TASK_FAILED), never the process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "host/log/log_context.hpp"
#include "runtime/runtime.hpp"
#include "weft/plugin.h"

namespace weft::host {

class PluginInstance;
class TaskWatch;
struct PollSubject;

class TaskSlot {
   public:
    // Throws std::bad_alloc.
    TaskSlot(PluginInstance& plugin, weft_task_poll_fn poll, void* state, weft_task_drop_fn drop,
             std::string name);
    ~TaskSlot();
    TaskSlot(const TaskSlot&) = delete;
    TaskSlot& operator=(const TaskSlot&) = delete;

    // Counts the task as live (and lists it in the task view) and makes the slot responsible for
    // dropping the state.
    void arm() noexcept;
    // One call of the plugin's poll. On completion the state is dropped at once.
    [[nodiscard]] weft_status poll(Context& cx) noexcept;
    [[nodiscard]] PluginInstance& plugin() const noexcept { return plugin_; }

   private:
    void release() noexcept;
    // Logs a failed poll naming the task, and records it as the plugin's last failure.
    void failed(const std::string& why, const PollSubject& subject) noexcept;

    PluginInstance& plugin_;
    weft_task_poll_fn poll_;
    void* state_;
    weft_task_drop_fn drop_;
    bool armed_ = false;
    // One reference. Also keeps the task's number (WEFT_TASK= of its log lines) and its name
    // (weft_task_spawn_named's, or the job's; empty: unnamed), for the task view and the logs.
    TaskWatch* watch_;
};

class PluginFuture : public Pollable<PluginFuture> {
   public:
    explicit PluginFuture(std::unique_ptr<TaskSlot> slot) noexcept : slot_(std::move(slot)) {}
    bool poll(Context& cx) noexcept {
        const weft_status status = slot_->poll(cx);
        if (status == WEFT_PENDING) return false;
        status_ = status;
        slot_.reset();
        return true;
    }
    [[nodiscard]] int await_resume() const noexcept { return status_; }

   private:
    std::unique_ptr<TaskSlot> slot_;
    int status_ = WEFT_PENDING;
};

// The runtime task of one plugin task; its output is the plugin poll's final status.
[[nodiscard]] Task<int> run_plugin_task(std::unique_ptr<TaskSlot> slot);

// Spawns a plugin task for `plugin` (the body of weft_task_spawn and weft_task_spawn_named; the
// name, possibly empty, was checked by the caller). On success *record (if not NULL) shares the
// host's record of it. Returns WEFT_OK, WEFT_ERR_SHUTDOWN (the plugin accepts no more tasks; the
// state is still the caller's) or WEFT_ERR_NO_MEMORY (likewise).
[[nodiscard]] weft_status spawn_plugin_task(PluginInstance& plugin, weft_task_poll_fn poll,
                                            void* state, weft_task_drop_fn drop,
                                            std::shared_ptr<struct TaskRecord>* record,
                                            std::string_view name = {});

// Why `name` cannot name a task (weft_task_spawn_named's rules), or "" if it can.
[[nodiscard]] std::string task_name_problem(std::string_view name);

}  // namespace weft::host
