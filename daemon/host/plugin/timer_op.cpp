// weft_time_*: the runtime's timers (weft::time::Sleep) in a plugin's operation slot.
#include "host/plugin/timer_op.hpp"

#include <chrono>

#include "host/abi/api_support.hpp"
#include "host/plugin/context_impl.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::host {
namespace {

time::Instant to_instant(weft_instant ns) noexcept {
    const auto max = static_cast<weft_instant>(std::numeric_limits<time::Duration::rep>::max());
    return time::Instant(time::Duration(static_cast<time::Duration::rep>(ns > max ? max : ns)));
}

// Cancelling (destroying) it unlinks the timer.
class SleepOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::sleep;
    explicit SleepOp(time::Instant deadline) : OpBase(kKind), sleep_(time::sleep_until(deadline)) {}
    weft_status poll(Context& cx) noexcept { return sleep_.poll(cx) ? WEFT_OK : WEFT_PENDING; }

   private:
    time::Sleep sleep_;
};

}  // namespace

weft_instant monotonic_now_ns() noexcept {
    const auto ns = time::now().time_since_epoch().count();
    return ns < 0 ? 0 : static_cast<weft_instant>(ns);
}

weft_status time_sleep_until(weft_context* c, weft_instant deadline, weft_op** op) {
    if (!c || !op) return invalid("weft_time_sleep_until: NULL argument");
    return guarded([&] {
        return poll_op<SleepOp>(context_of(c).cx, op, "weft_time_sleep_until",
                                [&] { return std::make_unique<SleepOp>(to_instant(deadline)); });
    });
}

weft_status time_sleep(weft_context* c, std::uint64_t duration_ns, weft_op** op) {
    if (!c || !op) return invalid("weft_time_sleep: NULL argument");
    return guarded([&] {
        return poll_op<SleepOp>(context_of(c).cx, op, "weft_time_sleep", [&] {
            const auto max =
                static_cast<std::uint64_t>(std::numeric_limits<time::Duration::rep>::max());
            const time::Duration d(
                static_cast<time::Duration::rep>(duration_ns > max ? max : duration_ns));
            return std::make_unique<SleepOp>(time::detail::add_saturating(time::now(), d));
        });
    });
}

}  // namespace weft::host
