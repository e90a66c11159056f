#include "runtime/task/parker_waker.hpp"

#include <atomic>
#include <memory>

#include "runtime/driver/thread_parker.hpp"

namespace weft::detail {
namespace {

struct ParkerWaker {
    ThreadParker parker;
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

}  // namespace

Waker make_parker_waker() {
    auto owner = std::make_unique<ParkerWaker>();
    return Waker(owner.release(), &ParkerWaker::kVTable);
}

void park_on(const Waker& waker) noexcept { ParkerWaker::self(waker.data())->parker.park(); }

}  // namespace weft::detail
