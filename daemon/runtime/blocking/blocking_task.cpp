#include "runtime/blocking/blocking_task.hpp"

namespace weft::detail {

void BlockingTask::run() noexcept {
    const std::uint32_t prev = state_.fetch_or(STARTED, std::memory_order_acq_rel);
    if (prev & CANCELLED) {
        vtable_->destroy_fn(this);
        complete(DROPPED);
        return;
    }
    vtable_->invoke(this);
    complete(0);
}

void BlockingTask::drop() noexcept {
    vtable_->destroy_fn(this);
    complete(DROPPED);
}

void BlockingTask::complete(std::uint32_t bits) noexcept {
    const std::uint32_t prev = state_.fetch_or(COMPLETE | bits, std::memory_order_acq_rel);
    // Woken by reference, not taken: the handle may be reading the slot right now (will_wake,
    // on a state it loaded before COMPLETE). Nobody writes the slot once COMPLETE is set; the
    // waker goes with the task's last reference.
    if (prev & WAKER) waker_.wake_by_ref();
    release();
}

bool BlockingTask::poll_complete(const WakerRef& waker) noexcept {
    std::uint32_t s = state_.load(std::memory_order_acquire);
    if (s & COMPLETE) return true;
    if (s & WAKER) {
        if (waker.will_wake(waker_)) return false;
        // Take the slot back to change the waker; fails when the task completed meanwhile.
        while (!state_.compare_exchange_weak(s, s & ~WAKER, std::memory_order_acq_rel,
                                             std::memory_order_acquire))
            if (s & COMPLETE) return true;
    }
    waker_ = waker.clone();
    s = state_.load(std::memory_order_acquire);
    while (!(s & COMPLETE)) {
        if (state_.compare_exchange_weak(s, s | WAKER, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
            return false;
    }
    waker_.reset();  // completed meanwhile: the slot is ours again
    return true;
}

void BlockingTask::release_handle() noexcept {
    std::uint32_t s = state_.load(std::memory_order_acquire);
    while ((s & WAKER) && !(s & COMPLETE)) {
        if (state_.compare_exchange_weak(s, s & ~WAKER, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
            waker_.reset();  // taken back: drop it (the awaiting task need not stay alive)
            break;
        }
    }
    release();
}

void BlockingTask::release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) vtable_->free(this);
}

}  // namespace weft::detail
