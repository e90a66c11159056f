#include "runtime/context/thread_context.hpp"
#include "runtime/metrics/long_poll.hpp"
#include "runtime/metrics/poll_watch.hpp"

#include <time.h>

namespace weft {

std::uint64_t poll_clock_ns(PollClock clock) noexcept {
    timespec ts{};
    ::clock_gettime(clock == PollClock::coarse ? CLOCK_MONOTONIC_COARSE : CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

PollTagScope::PollTagScope(const void* tag) noexcept : watch_(detail::tls().poll_watch) {
    if (!watch_) {
        // No poll timing here: the cheap clock, for whoever still asks for elapsed().
        clock_ = PollClock::coarse;
        started_ns_ = poll_clock_ns(clock_);
        return;
    }
    clock_ = watch_->clock;
    started_ns_ = watch_->started_ns.load(std::memory_order_relaxed);
    if (started_ns_ == 0) started_ns_ = poll_clock_ns(clock_);
    threshold_ = watch_->threshold;
    worker_ = watch_->worker;
    watch_->tagged = true;
    previous_ = watch_->tag.load(std::memory_order_relaxed);
    watch_->tag.store(tag, std::memory_order_release);
}

PollTagScope::~PollTagScope() {
    // No watch, or block_in_place handed the worker (and its watch, whose tags it cleared) to
    // another thread during this scope: the watch is not this thread's to touch any more.
    if (!watch_ || detail::tls().poll_watch != watch_) return;
    watch_->restore_tag(previous_);
}

}  // namespace weft
