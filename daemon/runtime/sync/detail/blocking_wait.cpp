#include "runtime/sync/detail/blocking_wait.hpp"

#include <stdexcept>
#include <string>

#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/task/parker_waker.hpp"
#include "runtime/util/stress.hpp"

namespace weft::sync::detail {
namespace {

Waker make_waker(const char* call) {
    if (weft::detail::tls().worker || weft::detail::tls().task)
        throw std::logic_error(
            std::string(call) +
            " called on a runtime thread (in a task, in block_on or on a "
            "worker), where blocking would stall the runtime: await the async "
            "form there, or call it from spawn_blocking or a thread of your own");
    return weft::detail::make_parker_waker();
}

}  // namespace

BlockingWaiter::BlockingWaiter(const char* call)
    : waker_(make_waker(call)),
      cx_(WakerRef(waker_.data(), waker_.vtable())),
      saved_budget_(weft::detail::tls().budget) {
    weft::detail::tls().budget = coop::kUnconstrained;
}

BlockingWaiter::~BlockingWaiter() { weft::detail::tls().budget = saved_budget_; }

void BlockingWaiter::park() {
    // The window of step 3: a wake between the pending poll and the park must not be lost.
    WEFT_STRESS_POINT();
    weft::detail::park_on(waker_);
}

}  // namespace weft::sync::detail
