// Idle: which workers are parked and how many are searching for work (Tokio's `idle.rs`).
//
// One atomic word packs num_searching (low 16 bits) and num_unparked (high bits). At most half of
// the workers search at once, so a burst of wake-ups does not wake every thread; a worker is only
// woken when nobody is searching, and the last searcher to find work wakes the next one.
// `sleepers` (under a mutex) lists the parked workers so that one can be picked to unpark.
//
// The parking protocol (this file, worker.cpp and park.cpp):
//
//  * Who may park: a worker whose LIFO slot, local queue and overflow list are empty and that
//    found nothing to steal nor in the global queue (Worker::transition_to_parked checks its own
//    slot and queues last). Only the owner fills its LIFO slot and pushes to its queue and
//    overflow list, so nobody can add work a
//    parked worker alone could run; a wake that lands on a parked worker's own thread (the
//    driver dispatching timers or I/O inside park) goes to its LIFO slot, and the worker leaves
//    park for it (transition_from_parked) after notifying another worker if its queue holds more.
//  * Who wakes whom: whoever makes work stealable (a push to a local or the global queue) calls
//    notify_parked(), which wakes one sleeper, counted as searching, unless a worker is already
//    searching (then that searcher is responsible) or none is parked. Two pushes do not notify:
//    a yield, and a LIFO task put back after its polls (run_task); the owner runs them itself,
//    and after its next park or maintenance it wakes a sibling if it then holds more than the
//    one task it runs next (Worker::should_notify_others, as Tokio).
//  * Why a wake racing a park is always seen: the notifier does "publish the task, then read
//    `state_`"; the last searcher does "decrement num_searching in `state_`, then read every
//    queue" (transition_worker_to_parked returns true, and the worker runs
//    notify_if_work_pending). Both reads come after a read-modify-write of `state_` (seq_cst),
//    so at least one side sees the other: either the notifier sees num_searching == 0 and wakes
//    a sleeper, or the searcher sees the task and wakes one. This is why notify_should_wakeup()
//    reads with fetch_add(0) and not a load: a seq_cst load may be satisfied before the task's
//    (release) publication leaves the store buffer, and then both sides could miss each other.
//    A searcher that finds work and was the last one wakes the next searcher
//    (Worker::transition_from_searching), so work found in a batch keeps spreading.
//  * The Parker (park.cpp) keeps a wake-up that arrives before the park as a token, so
//    unpark-then-park returns at once; a spurious return finds the worker still in `sleepers`
//    and it parks again.
//
// Orderings: every read-modify-write of `state_` is seq_cst. The argument above needs the
// notifier's and the last searcher's RMWs in one total order with their queue reads; the others
// are seq_cst too so that no reader has to reason about a mix, and none is on a per-task path
// (they run once per park, wake-up or search). `sleepers_` is guarded by `mutex_`; the counts in
// `state_` are read outside it, so they may lag the list for an instant, which only makes a
// notifier take the mutex and find nobody to wake (it re-checks under the lock).
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

namespace weft::detail {

class Idle {
   public:
    explicit Idle(std::size_t num_workers) : num_workers_(num_workers) {
        // Relaxed: no other thread sees this object before the workers start, and starting a
        // thread synchronizes with it.
        state_.store(num_workers << kUnparkShift, std::memory_order_relaxed);
        sleepers_.reserve(num_workers);
    }

    // A worker to wake for new work, now counted as unparked and searching; or none.
    [[nodiscard]] std::optional<std::size_t> worker_to_notify() {
        if (!notify_should_wakeup()) return std::nullopt;
        std::lock_guard lock(mutex_);
        if (!notify_should_wakeup() || sleepers_.empty()) return std::nullopt;
        state_.fetch_add(1 | (std::size_t{1} << kUnparkShift), std::memory_order_seq_cst);
        std::size_t w = sleepers_.back();
        sleepers_.pop_back();
        return w;
    }
    // True when the worker was the last searcher (it must check for work once more).
    [[nodiscard]] bool transition_worker_to_parked(std::size_t worker, bool is_searching) {
        std::lock_guard lock(mutex_);
        std::size_t dec = (std::size_t{1} << kUnparkShift) | (is_searching ? 1 : 0);
        std::size_t prev = state_.fetch_sub(dec, std::memory_order_seq_cst);
        sleepers_.push_back(worker);
        return is_searching && (prev & kSearchMask) == 1;
    }
    // A benign race, as in Tokio: the check and the increment are two steps, not one CAS, so two
    // workers may both pass and briefly exceed half of the workers searching. The bound only
    // damps a thundering herd; one extra searcher costs a few failed steals, never a lost task.
    [[nodiscard]] bool transition_worker_to_searching() {
        std::size_t s = state_.load(std::memory_order_seq_cst);
        if (2 * (s & kSearchMask) >= num_workers_) return false;
        state_.fetch_add(1, std::memory_order_seq_cst);
        return true;
    }
    // True when this was the last searching worker.
    [[nodiscard]] bool transition_worker_from_searching() {
        return (state_.fetch_sub(1, std::memory_order_seq_cst) & kSearchMask) == 1;
    }
    // Unparks a worker that woke up on its own (driver event, work in its LIFO slot). True when
    // it was still listed as parked.
    bool unpark_worker_by_id(std::size_t worker) {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < sleepers_.size(); ++i) {
            if (sleepers_[i] == worker) {
                sleepers_[i] = sleepers_.back();
                sleepers_.pop_back();
                state_.fetch_add(std::size_t{1} << kUnparkShift, std::memory_order_seq_cst);
                return true;
            }
        }
        return false;
    }
    [[nodiscard]] bool is_parked(std::size_t worker) {
        std::lock_guard lock(mutex_);
        for (std::size_t w : sleepers_)
            if (w == worker) return true;
        return false;
    }

   private:
    static constexpr unsigned kUnparkShift = 16;
    static constexpr std::size_t kSearchMask = (std::size_t{1} << kUnparkShift) - 1;

    [[nodiscard]] bool notify_should_wakeup() noexcept {
        // A read-modify-write, not a load: it orders the caller's publication of the task before
        // this read (see the protocol above; Tokio's idle.rs does the same).
        std::size_t s = state_.fetch_add(0, std::memory_order_seq_cst);
        return (s & kSearchMask) == 0 && (s >> kUnparkShift) < num_workers_;
    }

    const std::size_t num_workers_;
    std::atomic<std::size_t> state_{0};
    std::mutex mutex_;
    std::vector<std::size_t> sleepers_;
};

}  // namespace weft::detail
