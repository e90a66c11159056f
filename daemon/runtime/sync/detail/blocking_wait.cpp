#include "runtime/sync/detail/blocking_wait.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/driver/thread_parker.hpp"
#include "runtime/util/stress.hpp"

namespace weft::sync::detail {
namespace {

// A waker that unparks one thread, counted (step 2 of the protocol).
struct ParkerWaker {
    weft::detail::ThreadParker parker;
    std::atomic<std::size_t> refs{1};

    static const void* clone(const void* p) noexcept {
        self(p)->refs.fetch_add(1, std::memory_order_relaxed);
        return p;
    }
    static void wake(const void* p) noexcept {
        wake_by_ref(p);
        drop(p);
    }
    static void wake_by_ref(const void* p) noexcept { self(p)->parker.unpark(); }
    static void drop(const void* p) noexcept {
        // acq_rel: the last owner sees every other owner's use of the parker before freeing it.
        if (self(p)->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            std::unique_ptr<ParkerWaker>(self(p)).reset();
    }
    static ParkerWaker* self(const void* p) noexcept {
        return static_cast<ParkerWaker*>(const_cast<void*>(p));
    }
    static constexpr WakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
};

Waker make_waker(const char* call) {
    if (weft::detail::tls().worker || weft::detail::tls().task)
        throw std::logic_error(
            std::string(call) +
            " called on a runtime thread (in a task, in block_on or on a "
            "worker), where blocking would stall the runtime: await the async "
            "form there, or call it from spawn_blocking or a thread of your own");
    auto owner = std::make_unique<ParkerWaker>();
    return Waker(owner.release(), &ParkerWaker::kVTable);
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
    ParkerWaker::self(waker_.data())->parker.park();
}

}  // namespace weft::sync::detail
