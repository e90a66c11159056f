// AtomicWaker: one waker slot, registered by a single consumer and woken by any number of
// producers without a lock (the `AtomicWaker` of futures-rs and Tokio), plus a load-only fast path
// for producers when nobody is registered.
//
// The state word:
//   REGISTERING  the consumer is writing the slot
//   WAKING       a producer is taking the waker (or asked the registering consumer to wake)
//   HAS_WAKER    the slot holds a registered waker that nobody took yet
//
// Protocol (as futures-rs): the consumer owns the slot while it holds REGISTERING, a producer
// while it holds WAKING (won only from a state with neither bit). A wake that lands during a
// registration sets WAKING, and the consumer, failing to release REGISTERING, wakes itself.
//
// wake_if_registered(): a producer that has just published (with a seq_cst read-modify-write)
// loads the state (seq_cst) and skips the wake when neither HAS_WAKER nor REGISTERING is set.
// This is a Dekker pattern and is race-free because the consumer registers with seq_cst
// read-modify-writes and then re-checks for published data with seq_cst loads: in the single total
// order of seq_cst operations either the producer's load follows the registration (it wakes) or
// its publication precedes the consumer's re-check (the consumer sees the data). A waker that was
// taken has been woken, so the consumer will poll and re-check anyway.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "runtime/task/waker.hpp"

namespace weft::sync::detail {

class AtomicWaker {
   public:
    AtomicWaker() noexcept = default;
    AtomicWaker(const AtomicWaker&) = delete;
    AtomicWaker& operator=(const AtomicWaker&) = delete;

    // Single consumer: stores `waker` to be woken by the next wake(). If a wake runs meanwhile,
    // `waker` is woken right away instead.
    void register_waker(const WakerRef& waker) noexcept {
        std::uint32_t cur = state_.load(std::memory_order_relaxed);
        for (;;) {
            if (cur & kWaking) {  // a wake is in progress: it may miss the new waker, wake now
                waker.wake_by_ref();
                return;
            }
            if (cur & kRegistering) return;  // concurrent registration: not supported
            if (state_.compare_exchange_weak(cur, cur | kRegistering, std::memory_order_seq_cst,
                                             std::memory_order_relaxed))
                break;
        }
        waker.store_into(waker_);
        std::uint32_t expected = cur | kRegistering;
        if (state_.compare_exchange_strong(expected, kHasWaker, std::memory_order_seq_cst,
                                           std::memory_order_acquire))
            return;
        // A producer set WAKING while we registered: it left the slot to us. Wake it ourselves.
        Waker w = std::move(waker_);
        state_.store(0, std::memory_order_release);
        w.wake();
    }

    // Single consumer: drops a registered waker it no longer needs (it found what it waited for
    // without being woken). A waker that producers are taking is left to them.
    void unregister() noexcept {
        std::uint32_t cur = kHasWaker;
        if (!state_.compare_exchange_strong(cur, kRegistering, std::memory_order_acquire,
                                            std::memory_order_relaxed))
            return;
        Waker w = std::move(waker_);
        // A producer that set WAKING meanwhile left the waker to us; we are awake, so dropping
        // it loses nothing.
        state_.store(0, std::memory_order_release);
    }

    // Takes the registered waker (empty if none, or if another producer or the registering
    // consumer will wake instead).
    [[nodiscard]] Waker take() noexcept {
        std::uint32_t prev = state_.fetch_or(kWaking, std::memory_order_seq_cst);
        if (prev & (kRegistering | kWaking)) return Waker();
        Waker w = std::move(waker_);
        state_.fetch_and(~(kWaking | kHasWaker), std::memory_order_release);
        return w;
    }
    void wake() noexcept { take().wake(); }

    // The producers' fast path (see the file comment): the caller published with a seq_cst
    // read-modify-write just before.
    void wake_if_registered() noexcept {
        if (state_.load(std::memory_order_seq_cst) & (kHasWaker | kRegistering)) wake();
    }

   private:
    static constexpr std::uint32_t kRegistering = 1;
    static constexpr std::uint32_t kWaking = 2;
    static constexpr std::uint32_t kHasWaker = 4;

    std::atomic<std::uint32_t> state_{0};
    Waker waker_;
};

}  // namespace weft::sync::detail
