// PluginStats: what one plugin costs and does, counted by the host as it runs the plugin's code
// (tokio-console's per-task figures, summed per plugin): busy time and polls of its tasks, long
// polls, tasks spawned and failed (with the last failure), blocking jobs queued and running,
// messages it sent and received on named channels.
//
// Thread-safety: every member may be called from any thread. Counters are relaxed atomics (a
// snapshot is consistent per counter, not across them); the last failure is under a mutex,
// taken only when a task fails and when a snapshot is read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace weft::host {

struct PluginStatsSnapshot {
    std::chrono::nanoseconds busy{0};  // summed poll time of its tasks
    std::uint64_t polls = 0;
    std::uint64_t long_polls = 0;  // polls past runtime.long_poll_threshold_ms
    std::uint64_t spawned_tasks = 0;
    std::uint64_t failed_tasks = 0;
    std::string last_failure;  // "task #3 (...): its poll returned ..."; empty if none failed
    std::uint64_t blocking_queued = 0;
    std::uint64_t blocking_running = 0;
    std::uint64_t channel_sends = 0;     // messages its handles put into named channels
    std::uint64_t channel_receives = 0;  // messages its handles took out of them
};

class PluginStats {
   public:
    void record_poll(std::chrono::nanoseconds busy) noexcept {
        busy_ns_.fetch_add(static_cast<std::uint64_t>(busy.count()), std::memory_order_relaxed);
        polls_.fetch_add(1, std::memory_order_relaxed);
    }
    void record_long_poll() noexcept { long_polls_.fetch_add(1, std::memory_order_relaxed); }
    void record_spawn() noexcept { spawned_.fetch_add(1, std::memory_order_relaxed); }
    void record_failure(std::string message) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        last_failure_ = std::move(message);
    }
    void blocking_queued() noexcept { blocking_queued_.fetch_add(1, std::memory_order_relaxed); }
    void blocking_started() noexcept {
        blocking_queued_.fetch_sub(1, std::memory_order_relaxed);
        blocking_running_.fetch_add(1, std::memory_order_relaxed);
    }
    void blocking_finished() noexcept { blocking_running_.fetch_sub(1, std::memory_order_relaxed); }
    void blocking_unqueued() noexcept { blocking_queued_.fetch_sub(1, std::memory_order_relaxed); }
    void record_send() noexcept { sends_.fetch_add(1, std::memory_order_relaxed); }
    void record_receive() noexcept { receives_.fetch_add(1, std::memory_order_relaxed); }

    [[nodiscard]] PluginStatsSnapshot snapshot() const {
        auto r = [](const auto& a) { return a.load(std::memory_order_relaxed); };
        PluginStatsSnapshot s;
        s.busy = std::chrono::nanoseconds(r(busy_ns_));
        s.polls = r(polls_);
        s.long_polls = r(long_polls_);
        s.spawned_tasks = r(spawned_);
        s.failed_tasks = r(failed_);
        // Queued and running may be read between a job's two updates: never below zero.
        const auto queued = static_cast<std::int64_t>(r(blocking_queued_));
        const auto running = static_cast<std::int64_t>(r(blocking_running_));
        s.blocking_queued = queued > 0 ? static_cast<std::uint64_t>(queued) : 0;
        s.blocking_running = running > 0 ? static_cast<std::uint64_t>(running) : 0;
        s.channel_sends = r(sends_);
        s.channel_receives = r(receives_);
        std::lock_guard lock(mutex_);
        s.last_failure = last_failure_;
        return s;
    }

   private:
    std::atomic<std::uint64_t> busy_ns_{0}, polls_{0}, long_polls_{0}, spawned_{0}, failed_{0},
        sends_{0}, receives_{0};
    // Signed in effect: a reader may see a decrement before its increment (wraps, read above).
    std::atomic<std::uint64_t> blocking_queued_{0}, blocking_running_{0};
    mutable std::mutex mutex_;
    std::string last_failure_;
};

}  // namespace weft::host
