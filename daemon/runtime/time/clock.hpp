// Clock: a runtime's source of time, which tests can pause (Tokio's `time::Clock`, test-util).
//
// Running, now() is steady_clock::now() plus an offset (zero until the clock was first paused).
// Paused, now() stays at a frozen instant that moves only through advance() or the driver's
// auto-advance: when a current_thread runtime has nothing to run and the clock is paused, the
// driver jumps the clock to the next timer instead of sleeping (unless auto-advance is inhibited,
// which the blocking pool does while blocking work is in flight, since that work may wake a task
// at any real moment). resume() lets time run again from the frozen instant.
//
// Each runtime has its own Clock (it lives in the driver's TimeHandle): pausing one runtime's
// time leaves every other runtime alone.
//
// Thread-safety: now() may be called from any thread; pause/resume/advance are meant for the one
// thread driving a current_thread runtime (they are atomic, but a reader racing with them may see
// the time before or after the change).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "runtime/time/instant.hpp"

namespace weft::time::detail {

class Clock {
   public:
    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;

    [[nodiscard]] Instant now() const noexcept {
        if (!paused_.load(std::memory_order_acquire))
            return std::chrono::steady_clock::now() +
                   Duration(offset_ns_.load(std::memory_order_relaxed));
        return Instant(Duration(frozen_ns_.load(std::memory_order_relaxed)));
    }

    [[nodiscard]] bool is_paused() const noexcept {
        return paused_.load(std::memory_order_acquire);
    }
    // Freezes the clock at `at` (>= now(): the caller may round up to a timer tick).
    void pause_at(Instant at) noexcept;
    // Lets time run again from the frozen instant.
    void resume() noexcept;
    // Moves a paused clock forward by `d`.
    void advance(Duration d) noexcept;

    // True when the driver may jump a paused clock to the next timer.
    [[nodiscard]] bool can_auto_advance() const noexcept {
        return is_paused() && inhibit_->load(std::memory_order_acquire) == 0;
    }
    // The count of reasons not to auto-advance (blocking work in flight). Shared so that a
    // blocking thread that outlives the runtime can still decrement it safely.
    [[nodiscard]] const std::shared_ptr<std::atomic<std::size_t>>& auto_advance_inhibitor()
        const noexcept {
        return inhibit_;
    }

   private:
    std::atomic<bool> paused_{false};
    std::atomic<Duration::rep> offset_ns_{0};  // added to steady_clock while running
    std::atomic<Duration::rep> frozen_ns_{0};  // the time while paused
    std::shared_ptr<std::atomic<std::size_t>> inhibit_ =
        std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace weft::time::detail
