// The paused test clock (Tokio's test-util: time::pause, resume, advance).
//
//   rt.block_on([]() -> weft::Task<void> {
//       weft::time::pause();
//       auto t0 = weft::time::now();
//       co_await weft::time::sleep(std::chrono::seconds(60));   // returns at once...
//       assert(weft::time::now() - t0 == std::chrono::seconds(60));  // ...60 s later
//   }());
//
// pause() freezes the clock of the current runtime (each runtime has its own clock). While it is
// paused, time moves only by advance(), or by auto-advance: when the runtime has no task to run,
// the driver jumps the clock straight to the next timer instead of sleeping, so sleeps, intervals
// and timeouts complete in order at their exact instants without waiting. Auto-advance waits
// while spawn_blocking work is in flight (it may wake a task at any real moment; awaited or not,
// its end wakes the runtime so that auto-advance resumes at once) and while I/O or a wake from
// another thread is pending.
//
// pause() freezes the clock at the next millisecond tick of the timer wheel (less than 1 ms
// ahead), so that sleeps of whole milliseconds from then on complete at exactly their deadline.
//
// Only a current_thread runtime can be paused (as in Tokio: with several workers "no task to run"
// is not a well-defined moment). These are test utilities: production code never needs them.
#pragma once

#include "runtime/task/pollable.hpp"
#include "runtime/time/instant.hpp"
#include "runtime/time/timer.hpp"

namespace weft::time {

// Freezes the current runtime's clock. Throws std::logic_error outside a current_thread runtime
// or if the clock is already paused.
void pause();
// Lets time run again from the frozen instant. Throws std::logic_error outside a runtime or if
// the clock is not paused.
void resume();
// Whether the current runtime's clock is paused (false outside a runtime).
[[nodiscard]] bool is_paused() noexcept;

// The awaitable of advance(): on its first poll it moves the clock, then it completes once every
// timer due by the new time has fired (the woken tasks are queued ahead of this one).
class [[nodiscard]] Advance : public Pollable<Advance> {
   public:
    Advance(detail::TimeHandle& handle, Duration by) noexcept : by_(by), timer_(&handle) {}
    Advance(Advance&& other) noexcept : by_(other.by_), timer_(other.timer_.handle()) {}
    Advance& operator=(Advance&&) = delete;

    bool poll(Context& cx) noexcept;
    void await_resume() const noexcept {}

   private:
    Duration by_;
    Instant until_{};
    bool moved_clock_ = false;
    detail::Timer timer_;
};

// Moves the paused clock forward by `by`, firing the timers due in the interval. Throws
// std::logic_error when the clock is not paused.
[[nodiscard]] Advance advance(Duration by);

}  // namespace weft::time
