#include "runtime/time/pause.hpp"

#include <stdexcept>

#include "runtime/context/thread_context.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::time {

void pause() {
    weft::detail::SchedulerHandle* s = weft::detail::tls().scheduler;
    if (!s || s->config().flavor != Flavor::current_thread)
        throw std::logic_error("weft::time::pause needs a current_thread runtime");
    detail::TimeHandle& h = s->driver().time();
    if (h.clock().is_paused())
        throw std::logic_error("weft::time::pause: the clock is already paused");
    // Round up to the next tick so that whole-millisecond sleeps land exactly on their deadline.
    h.clock().pause_at(h.tick_to_instant(h.deadline_to_tick(h.clock().now())));
}

void resume() {
    detail::TimeHandle& h = detail::current_time_handle("weft::time::resume");
    if (!h.clock().is_paused())
        throw std::logic_error("weft::time::resume: the clock is not paused");
    h.clock().resume();
}

bool is_paused() noexcept {
    detail::TimeHandle* h = detail::try_current_time_handle();
    return h && h->clock().is_paused();
}

bool Advance::poll(Context& cx) noexcept {
    detail::TimeHandle& h = *timer_.handle();
    if (!moved_clock_) {
        moved_clock_ = true;
        h.clock().advance(by_);
        until_ = h.clock().now();
    }
    // Waiting on a timer of the new "now" puts this task behind every timer due by then: they
    // are all filed earlier (or in the same tick, ahead of it) and fire first.
    return timer_.poll_in_order(until_, cx);
}

Advance advance(Duration by) {
    detail::TimeHandle& h = detail::current_time_handle("weft::time::advance");
    if (!h.clock().is_paused())
        throw std::logic_error("weft::time::advance: the clock is not paused");
    return Advance(h, by);
}

}  // namespace weft::time
