// weft::JoinSet<T>: a set of the plugin's spawned tasks, awaited in the order they finish
// (Tokio's JoinSet).
//
//   weft::JoinSet<int> set;
//   for (auto& key : keys) set.spawn(fetch(key));        // each a task of its own
//   while (auto n = co_await set.join_next()) total += *n; // empty once the set is empty
//
// spawn(task) spawns `task` as a task of the plugin (from a task: the task's host; from a hook:
// spawn(host, task)) and keeps its handle. join_next() waits until one of the set's tasks
// finishes and removes it: the result is std::optional<T> (bool for JoinSet<void>), empty
// (false) when the set is empty. A task that threw makes join_next() rethrow its exception, and
// one aborted (or cancelled at shutdown) makes it throw Error(WEFT_ERR_CANCELLED); either way it
// has left the set, so the loop may catch and go on. join_all() waits for every task and gives
// their results in the order they finished (rethrowing the first failure after aborting the
// rest, as Tokio's does). abort_all() aborts every task (they stay in the set until joined,
// each then giving WEFT_ERR_CANCELLED unless it had already finished); shutdown() aborts them
// and waits until all are gone; detach_all() lets them run on, forgotten. Destroying the set
// aborts every task still in it, as Tokio's does.
//
// Cost. join_next() polls only the tasks that announced their end: each task the set spawns
// carries a guard in its coroutine frame that, when the frame is destroyed (the task finished
// or was dropped by an abort), queues the task's number and wakes the set's waiter. So waiting
// on a set of 10,000 tasks costs per finished task, not per task in the set.
//
// Thread-safety: the set itself belongs to one task at a time (like Tokio's &mut self); its
// tasks run anywhere, on any worker. join_next() is cancel-safe: a cancelled join_next() took no
// task from the set.
//
// Errors: spawn throws Error(WEFT_ERR_SHUTDOWN) once the plugin's tasks are being cancelled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

// What the set's tasks report to the set, from any thread.
struct JoinSetSignal {
    JoinSetSignal() = default;
    JoinSetSignal(const JoinSetSignal&) = delete;
    JoinSetSignal& operator=(const JoinSetSignal&) = delete;
    ~JoinSetSignal() { weft_waker_drop(waiter); }

    std::mutex mutex;
    std::vector<std::uint64_t> ended;  // numbers of tasks whose frame was destroyed
    weft_waker* waiter = nullptr;      // the task in join_next(), if it waits

    void announce(std::uint64_t id) noexcept {
        const std::lock_guard lock(mutex);
        try {
            ended.push_back(id);
        } catch (...) {  // out of memory: join_next() then polls every task (see `overflowed`)
            overflowed = true;
        }
        weft_waker_wake(std::exchange(waiter, nullptr));
    }
    bool overflowed = false;
};

// Lives in the spawned coroutine's frame (a parameter, so it is destroyed with the frame even
// when the task is aborted before its first poll).
class EndGuard {
   public:
    EndGuard(std::shared_ptr<JoinSetSignal> signal, std::uint64_t id) noexcept
        : signal_(std::move(signal)), id_(id) {}
    EndGuard(EndGuard&& other) noexcept : signal_(std::move(other.signal_)), id_(other.id_) {}
    EndGuard& operator=(EndGuard&&) = delete;
    ~EndGuard() {
        if (signal_) signal_->announce(id_);
    }

   private:
    std::shared_ptr<JoinSetSignal> signal_;
    std::uint64_t id_;
};

template <class T>
Task<T> guarded(Task<T> task, EndGuard guard) {
    (void)guard;
    co_return co_await std::move(task);
}
inline Task<void> guarded(Task<void> task, EndGuard guard) {
    (void)guard;
    co_await std::move(task);
}

}  // namespace detail

template <class T = void>
class JoinSet {
    using Map = std::unordered_map<std::uint64_t, JoinHandle<T>>;

   public:
    using next_type = std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>;

    JoinSet() : signal_(std::make_shared<detail::JoinSetSignal>()) {}
    JoinSet(JoinSet&&) noexcept = default;
    JoinSet& operator=(JoinSet&& other) noexcept {
        if (this != &other) {
            abort_all();
            tasks_ = std::move(other.tasks_);
            candidates_ = std::move(other.candidates_);
            signal_ = std::move(other.signal_);
            next_id_ = other.next_id_;
        }
        return *this;
    }
    JoinSet(const JoinSet&) = delete;
    JoinSet& operator=(const JoinSet&) = delete;
    ~JoinSet() { abort_all(); }

    void spawn(const Host& host, Task<T> task) {
        const std::uint64_t id = next_id_++;
        tasks_.emplace(
            id, weft::spawn(host, detail::guarded(std::move(task), detail::EndGuard(signal_, id))));
    }
    void spawn(Task<T> task) { spawn(detail::current_host(), std::move(task)); }

    [[nodiscard]] std::size_t size() const noexcept { return tasks_.size(); }
    [[nodiscard]] bool empty() const noexcept { return tasks_.empty(); }

    void abort_all() noexcept {
        for (auto& [id, handle] : tasks_) handle.abort();
    }
    void detach_all() noexcept { tasks_.clear(); }  // a dropped JoinHandle detaches

    class [[nodiscard]] JoinNext : public Awaitable<JoinNext> {
       public:
        explicit JoinNext(JoinSet& set) noexcept : set_(&set) {}
        weft_status poll(weft_context* cx) noexcept { return set_->poll_next(cx, found_); }
        next_type await_resume() {
            if (this->status_ != WEFT_OK) throw Error(this->status_, "weft::JoinSet::join_next");
            if (!found_) return next_type{};
            JoinHandle<T> handle = std::move((*found_)->second);
            set_->tasks_.erase(*found_);
            found_ = {};
            // The handle already has its outcome: give its value, or throw its failure.
            if constexpr (std::is_void_v<T>) {
                handle.await_resume();
                return true;
            } else {
                return next_type(handle.await_resume());
            }
        }

       private:
        JoinSet* set_;
        std::optional<typename Map::iterator> found_;
    };
    // The next task to finish (see the file comment).
    [[nodiscard]] JoinNext join_next() noexcept { return JoinNext(*this); }

    // Every task's result in the order they finished (void: nothing).
    Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> join_all() {
        if constexpr (std::is_void_v<T>) {
            try {
                while (co_await join_next()) {
                }
            } catch (...) {
                abort_all();
                throw;
            }
        } else {
            std::vector<T> out;
            try {
                while (auto v = co_await join_next()) out.push_back(std::move(*v));
            } catch (...) {
                abort_all();
                throw;
            }
            co_return out;
        }
    }

    // Aborts every task and waits until each has left the set (their outcomes are dropped).
    Task<void> shutdown() {
        abort_all();
        while (!empty()) {
            try {
                (void)co_await join_next();
            } catch (...) {  // the outcome of an aborted or failed task is dropped
            }
        }
    }

   private:
    // Finds a finished task among those that announced their end. Under the signal's mutex the
    // waiter is registered before the announcements are read, so an end announced after this
    // poll read them wakes the task (no lost wake).
    weft_status poll_next(weft_context* cx, std::optional<typename Map::iterator>& found) noexcept {
        if (tasks_.empty()) return WEFT_OK;
        bool poll_all = false;
        {
            const std::lock_guard lock(signal_->mutex);
            if (!signal_->waiter) {
                const weft_status s = weft_context_waker(cx, &signal_->waiter);
                if (s != WEFT_OK) return s;
            }
            try {
                candidates_.insert(candidates_.end(), signal_->ended.begin(), signal_->ended.end());
            } catch (...) {
                poll_all = true;
            }
            signal_->ended.clear();
            poll_all = poll_all || std::exchange(signal_->overflowed, false);
        }
        if (poll_all) {  // out of memory while recording ends: look at every task once
            candidates_.clear();
            for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
                if (it->second.poll_status(cx) != WEFT_PENDING) return take(it, found);
            }
            return WEFT_PENDING;
        }
        // A task ends its frame before the host records its outcome: a candidate whose join is
        // still pending stays a candidate (its join registered our waker for that moment).
        for (std::size_t i = 0; i < candidates_.size();) {
            auto it = tasks_.find(candidates_[i]);
            if (it == tasks_.end()) {  // spawning it failed, or it was joined another way
                candidates_[i] = candidates_.back();
                candidates_.pop_back();
                continue;
            }
            if (it->second.poll_status(cx) != WEFT_PENDING) {
                candidates_[i] = candidates_.back();
                candidates_.pop_back();
                return take(it, found);
            }
            ++i;
        }
        return WEFT_PENDING;
    }
    weft_status take(typename Map::iterator it,
                     std::optional<typename Map::iterator>& found) noexcept {
        found = it;
        const std::lock_guard lock(signal_->mutex);
        weft_waker_drop(std::exchange(signal_->waiter, nullptr));
        return WEFT_OK;
    }

    Map tasks_;
    std::vector<std::uint64_t> candidates_;  // ended, not yet joined
    std::shared_ptr<detail::JoinSetSignal> signal_;
    std::uint64_t next_id_ = 0;
};

}  // namespace sdk
}  // namespace weft
