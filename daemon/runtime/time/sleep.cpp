#include "runtime/time/sleep.hpp"

#include <stdexcept>
#include <string>

#include "runtime/context/thread_context.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::time {
namespace detail {

TimeHandle* try_current_time_handle() noexcept {
    weft::detail::SchedulerHandle* s = weft::detail::tls().scheduler;
    return s ? &s->driver().time() : nullptr;
}

TimeHandle& current_time_handle(const char* what) {
    if (TimeHandle* h = try_current_time_handle()) return *h;
    throw std::logic_error(std::string(what) + " called outside a weft runtime");
}

}  // namespace detail

Instant now() noexcept {
    if (detail::TimeHandle* h = detail::try_current_time_handle()) return h->clock().now();
    return std::chrono::steady_clock::now();
}

Sleep sleep_until(Instant deadline) {
    return Sleep(detail::current_time_handle("weft::time::sleep_until"), deadline);
}

Sleep sleep(Duration duration) {
    detail::TimeHandle& h = detail::current_time_handle("weft::time::sleep");
    return Sleep(h, detail::add_saturating(h.clock().now(), duration));
}

}  // namespace weft::time
