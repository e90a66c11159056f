// TaskWatch: what the task view (GET /tasks) knows of one live plugin task, in the style of
// tokio-console: polls, busy time, wakes (and how many the task gave itself), the wakers others
// hold for it, its state, and the warnings those figures call for.
//
// How it learns of wakes without touching the runtime: each poll of a plugin task hands the
// plugin a counting waker (its data is the TaskWatch) instead of the runtime task's own. Every
// host call that registers a waker (a channel, a timer, a blocking job, a clone through the ABI)
// clones that one, so the clones, drops and wakes of the plugin's wakers all pass here; a wake
// is counted, then forwarded to the runtime task's waker. The runtime's tasks, and the plugins'
// figures elsewhere, are untouched: the cost is one indirect call and a few relaxed counters per
// wake of a plugin task.
//
// States: running (inside a poll), scheduled (woken since its last poll began), idle.
// Warnings:
//   self-wakes   more than half of its wakes (at least 100) came from inside its own poll: it
//                yields in a loop instead of waiting for something;
//   lost waker   idle with no waker left anywhere after a poll returned pending: nothing can ever
//                wake it (the plugin returned WEFT_PENDING without registering the waker);
//   long poll    its longest poll reached the runtime's long-poll threshold.
//
// Lifetime: shared by reference count between the task's slot and each counting waker; the
// slot's reference ends when the task's state is dropped, and the watch leaves its plugin's
// TaskWatchList then (a waker still held elsewhere keeps the memory, not the listing).
//
// Thread-safety: the counters are atomics written by the polling thread and by wakers on any
// thread; relaxed, since each is a figure read on its own (a snapshot may mix instants).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/task/waker.hpp"
#include "runtime/util/intrusive_list.hpp"

namespace weft::host {

struct TaskWatchView {
    std::uint64_t task = 0;  // the task's number (its WEFT_TASK= in log lines)
    std::string name;        // empty: unnamed
    std::string state;       // "running", "scheduled" or "idle"
    std::uint64_t polls = 0;
    std::chrono::nanoseconds busy{0};
    std::chrono::nanoseconds longest_poll{0};
    std::chrono::nanoseconds idle{0};  // since its last poll ended (0 while running)
    std::chrono::nanoseconds age{0};   // since it was spawned
    std::uint64_t wakes = 0;
    std::uint64_t self_wakes = 0;
    std::int64_t wakers = 0;  // counting wakers held now
    std::vector<std::string> warnings;
};

class TaskWatch {
   public:
    TaskWatch(std::uint64_t task, std::string name) noexcept;
    ~TaskWatch() = default;  // only through release()
    TaskWatch(const TaskWatch&) = delete;
    TaskWatch& operator=(const TaskWatch&) = delete;

    [[nodiscard]] std::uint64_t task() const noexcept { return task_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    // A watch holding one reference, the caller's (the task's slot). Throws std::bad_alloc.
    [[nodiscard]] static TaskWatch* make(std::uint64_t task, std::string name);
    // Drops one reference; the last frees the watch.
    void release() noexcept;

    // Around one poll, on the polling thread. `task_waker`: the runtime task's waker (cloned
    // the first time). Returns the waker to give the plugin for this poll.
    [[nodiscard]] WakerRef begin_poll(const WakerRef& task_waker) noexcept;
    void end_poll(std::chrono::nanoseconds took, bool pending) noexcept;

    // Figures and warnings; `long_poll` is the runtime's threshold (0: no such warning).
    [[nodiscard]] TaskWatchView view(std::chrono::steady_clock::time_point now,
                                     std::chrono::nanoseconds long_poll) const;

    // The intrusive links of TaskWatchList, under its mutex.
    TaskWatch* list_prev = nullptr;
    TaskWatch* list_next = nullptr;

   private:
    static const WakerVTable kVTable;
    static const void* clone(const void* data) noexcept;
    static void wake(const void* data) noexcept;
    static void wake_by_ref(const void* data) noexcept;
    static void drop(const void* data) noexcept;
    void count_wake() noexcept;

    const std::uint64_t task_;
    const std::string name_;
    const std::chrono::steady_clock::time_point created_;
    std::atomic<std::uint32_t> refs_{1};
    Waker task_waker_;  // written once, by the first poll, before any counting waker exists
    std::atomic<bool> in_poll_{false};
    std::atomic<bool> woken_{false};
    std::atomic<bool> pending_{false};  // its last poll returned pending
    std::atomic<std::uint64_t> polls_{0};
    std::atomic<std::int64_t> busy_ns_{0};
    std::atomic<std::int64_t> longest_ns_{0};
    std::atomic<std::int64_t> last_poll_end_ns_{0};  // steady clock, since its epoch
    std::atomic<std::uint64_t> wakes_{0};
    std::atomic<std::uint64_t> self_wakes_{0};
    std::atomic<std::int64_t> wakers_{0};
};

// The task view of one plugin.
struct PluginTasks {
    std::string plugin;
    std::vector<TaskWatchView> tasks;
};

// The live tasks of one plugin, in spawn order. Thread-safety: any thread.
class TaskWatchList {
   public:
    TaskWatchList() = default;
    TaskWatchList(const TaskWatchList&) = delete;
    TaskWatchList& operator=(const TaskWatchList&) = delete;

    void add(TaskWatch* watch) noexcept;
    void remove(TaskWatch* watch) noexcept;
    [[nodiscard]] std::vector<TaskWatchView> views(std::chrono::nanoseconds long_poll) const;

   private:
    mutable std::mutex mutex_;
    weft::detail::IntrusiveList<TaskWatch, TaskWatch, &TaskWatch::list_prev, &TaskWatch::list_next>
        watches_;
};

}  // namespace weft::host
