// weft::time::sleep / sleep_until: wait until a deadline on the runtime's clock (Tokio's
// `time::sleep`, `time::Sleep`).
//
//   co_await weft::time::sleep(std::chrono::milliseconds(10));
//   auto s = weft::time::sleep_until(deadline);  s.reset(later);  co_await s;
//
// Resolution is 1 ms: a Sleep completes in the first millisecond tick at or after its deadline,
// never before it. The deadline is fixed when the Sleep is made (sleep(d) = now() + d), as in
// Tokio. A Sleep costs no allocation: its timer entry lives inside it, and it joins the runtime's
// timing wheel only when first polled while its deadline is still ahead.
//
// Polling consumes one unit of the coop budget. Cancellation safe: dropping a pending Sleep
// unlinks its timer in O(1) and it never fires. A completed Sleep stays complete (polling it again
// is ready) until reset().
//
// Thread-safety: one Sleep is used by one task at a time; the wheel it joins is shared safely by
// every worker. Make it inside a runtime (std::logic_error otherwise) and drop it before the
// runtime is destroyed.
#pragma once

#include "runtime/coop/budget.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/time/instant.hpp"
#include "runtime/time/timer.hpp"

namespace weft::time {

class [[nodiscard]] Sleep : public Pollable<Sleep> {
   public:
    Sleep(detail::TimeHandle& handle, Instant deadline) noexcept
        : deadline_(deadline), timer_(&handle) {}
    // A moved Sleep keeps its deadline; a filed timer is unfiled and files again when polled.
    Sleep(Sleep&& other) noexcept : deadline_(other.deadline_), timer_(other.timer_.handle()) {
        other.timer_.cancel();
    }
    Sleep& operator=(Sleep&&) = delete;
    ~Sleep() = default;

    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        if (timer_.poll(deadline_, cx)) return true;
        coop::refund();
        return false;
    }
    void await_resume() const noexcept {}

    [[nodiscard]] Instant deadline() const noexcept { return deadline_; }
    // True once the Sleep completed (until reset()).
    [[nodiscard]] bool is_elapsed() const noexcept { return timer_.is_fired(); }
    // Sets a new deadline, earlier or later, whether or not the Sleep completed. A task waiting on
    // it is woken at the new deadline (at once if it already passed).
    void reset(Instant deadline) noexcept {
        deadline_ = deadline;
        timer_.reset(deadline);
    }

   private:
    Instant deadline_;
    detail::Timer timer_;
};

// Completes at `deadline`. Throws std::logic_error outside a runtime.
[[nodiscard]] Sleep sleep_until(Instant deadline);
// Completes `duration` after now(). A deadline already passed (sleep(0), a negative duration)
// completes on the first poll, without waiting for a timer tick.
[[nodiscard]] Sleep sleep(Duration duration);

}  // namespace weft::time
