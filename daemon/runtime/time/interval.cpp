#include "runtime/time/interval.hpp"

namespace weft::time {
namespace {

// A tick taken later than this after its schedule counts as missed (Tokio's threshold).
constexpr Duration kMissedTickSlack = std::chrono::milliseconds(5);

}  // namespace

Interval::Interval(detail::TimeHandle& handle, Instant start, Duration period)
    : handle_(&handle), delay_(handle, start), period_(period) {
    if (period.count() <= 0)
        throw std::invalid_argument("weft::time::interval: period must be positive");
}

bool Interval::poll_tick(Context& cx, Instant& scheduled) noexcept {
    if (!delay_.poll(cx)) return false;
    const Instant at = delay_.deadline();
    const Instant now = handle_->clock().now();
    const Instant next = now > detail::add_saturating(at, kMissedTickSlack)
                             ? next_after_missed(at, now)
                             : detail::add_saturating(at, period_);
    delay_.reset(next);
    scheduled = at;
    return true;
}

Instant Interval::next_after_missed(Instant scheduled, Instant now) const noexcept {
    switch (behavior_) {
        case MissedTickBehavior::burst:
            return detail::add_saturating(scheduled, period_);
        case MissedTickBehavior::delay:
            return detail::add_saturating(now, period_);
        case MissedTickBehavior::skip: {
            const Duration behind((now - scheduled).count() % period_.count());
            return detail::add_saturating(now, period_ - behind);
        }
    }
    return detail::add_saturating(scheduled, period_);
}

void Interval::reset() noexcept {
    delay_.reset(detail::add_saturating(handle_->clock().now(), period_));
}

void Interval::reset_immediately() noexcept { delay_.reset(handle_->clock().now()); }

void Interval::reset_after(Duration after) noexcept {
    delay_.reset(detail::add_saturating(handle_->clock().now(), after));
}

void Interval::reset_at(Instant deadline) noexcept { delay_.reset(deadline); }

Interval interval(Duration period) {
    detail::TimeHandle& h = detail::current_time_handle("weft::time::interval");
    return Interval(h, h.clock().now(), period);
}

Interval interval_at(Instant start, Duration period) {
    return Interval(detail::current_time_handle("weft::time::interval_at"), start, period);
}

}  // namespace weft::time
