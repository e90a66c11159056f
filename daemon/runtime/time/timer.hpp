// Timer: the owner's side of one timer entry, shared by Sleep, Timeout, Interval and advance().
//
// A Timer is idle until polled; the first poll that finds its deadline in the future files the
// entry in the runtime's wheel (one lock, no allocation), later polls are lock-free unless the
// task polling it changed. Dropping a Timer that is filed unlinks it in O(1); dropping one that
// never was filed, or already fired, takes no lock at all (see time_handle.hpp for the protocol).
//
// A Timer must not move while it is filed; its owners deregister before moving (so a moved-from
// Sleep is simply idle and re-files on its next poll).
#pragma once

#include "runtime/time/time_handle.hpp"

namespace weft::time::detail {

// The time handle of the runtime this thread runs tasks for, or null outside a runtime.
[[nodiscard]] TimeHandle* try_current_time_handle() noexcept;
// The same, throwing std::logic_error naming `what` outside a runtime.
[[nodiscard]] TimeHandle& current_time_handle(const char* what);

class Timer {
   public:
    explicit Timer(TimeHandle* handle = nullptr) noexcept : handle_(handle) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() { cancel(); }

    [[nodiscard]] TimeHandle* handle() const noexcept { return handle_; }
    void bind(TimeHandle& handle) noexcept { handle_ = &handle; }

    // True once the timer fired for `deadline` (or `deadline` had already passed on the clock:
    // then at once, without waiting for the wheel's next tick, so sleep(0) costs no wait);
    // otherwise the entry is filed with cx's waker. Needs a bound handle.
    [[nodiscard]] bool poll(Instant deadline, const Context& cx) noexcept {
        switch (entry_.state.load(std::memory_order_acquire)) {
            case kFired:
                return true;
            case kRegistered:
                return !handle_->update_waker(entry_, cx.waker());
            default:
                break;
        }
        if (deadline <= handle_->clock().now() ||
            !handle_->register_timer(entry_, handle_->deadline_to_tick(deadline), cx.waker())) {
            entry_.state.store(kFired, std::memory_order_relaxed);  // due already: never filed
            return true;
        }
        return false;
    }

    // As poll(), but files the entry even when `deadline` has passed, unless the wheel already
    // processed its tick: the timer then fires in order with the others due at that tick (how
    // advance() waits for every timer it made due).
    [[nodiscard]] bool poll_in_order(Instant deadline, const Context& cx) noexcept {
        switch (entry_.state.load(std::memory_order_acquire)) {
            case kFired:
                return true;
            case kRegistered:
                return !handle_->update_waker(entry_, cx.waker());
            default:
                break;
        }
        if (handle_->register_timer(entry_, handle_->deadline_to_tick(deadline), cx.waker()))
            return false;
        entry_.state.store(kFired, std::memory_order_relaxed);
        return true;
    }

    // Moves the deadline: a filed entry is re-filed at once (and woken if already due); a fired
    // or idle one becomes idle and files itself on its next poll.
    void reset(Instant deadline) noexcept {
        // Tick 0 is always processed: a deadline already passed fires now, not at the next tick.
        const std::uint64_t tick =
            deadline <= handle_->clock().now() ? 0 : handle_->deadline_to_tick(deadline);
        if (entry_.state.load(std::memory_order_acquire) == kRegistered &&
            handle_->reregister(entry_, tick) != TimeHandle::Refile::was_fired)
            return;
        entry_.state.store(kIdle, std::memory_order_relaxed);  // fired for the old deadline
    }

    // Unfiles the entry if it is filed; the timer is then idle.
    void cancel() noexcept {
        if (handle_) handle_->deregister(entry_);
    }

    [[nodiscard]] bool is_fired() const noexcept {
        return entry_.state.load(std::memory_order_acquire) == kFired;
    }
    [[nodiscard]] bool is_registered() const noexcept {
        return entry_.state.load(std::memory_order_acquire) == kRegistered;
    }

   private:
    TimeHandle* handle_;
    TimerEntry entry_;
};

}  // namespace weft::time::detail
