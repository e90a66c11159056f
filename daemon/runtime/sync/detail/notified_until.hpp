// NotifiedUntil: the wait of every future that completes when some state, changed under a
// Notify, reaches a condition (watch's changed, wait_for and closed; broadcast's closed;
// CancellationToken::cancelled).
//
// Protocol: the notification is asked for (a Notified created) BEFORE the state is looked at, so
// a change made between the look and the wait notifies that Notified and is not missed (Notify's
// notify_waiters wakes every Notified created before it). Each poll spends one unit of coop
// budget, refunded when it ends pending.
#pragma once

#include <optional>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/notify.hpp"

namespace weft::sync::detail {

class NotifiedUntil {
   public:
    // True once `holds()` returns true; false (the task's waker registered) while it does not.
    template <class Holds>
    bool poll(Context& cx, Notify& notify, Holds&& holds) noexcept(noexcept(holds())) {
        if (!coop::poll_proceed(cx)) return false;
        for (;;) {
            if (!notified_) notified_.emplace(notify.notified());
            if (holds()) return true;
            if (!notified_->poll_unbudgeted(cx)) {
                coop::refund();
                return false;
            }
            notified_.reset();
        }
    }

   private:
    std::optional<Notified> notified_;
};

}  // namespace weft::sync::detail
