// Internal: how the SDK's own primitives (Mutex, RwLock, Barrier, oneshot, CancellationToken,
// JoinSet) park a plugin task and wake it from another worker, with nothing but the ABI's
// wakers (plugin.h 6.2). Not API: names and layout may change.
//
// The protocol, for every primitive built on it:
//   1. Each primitive has one std::mutex; a Waiter is linked into its FIFO WaitQueue only while
//      that mutex is held, and every field of a queued Waiter is read and written under it.
//   2. A task that must wait clones its waker (weft_context_waker) into the Waiter and links it,
//      both under the mutex, in the same poll that found it could not proceed: so whoever makes
//      progress possible later takes the mutex after the registration and finds the waiter. No
//      wake is lost.
//   3. Whoever grants a waiter what it waits for unlinks it, sets `woken`, and consumes its
//      waker (weft_waker_wake) under the mutex. The task, polled again, sees `woken` under the
//      mutex and completes. A waker is woken or dropped exactly once.
//   4. Waking under the mutex is safe: a wake only schedules the task, it never polls it in the
//      caller; the woken task's poll may block on the mutex for as long as the waker holds it.
//   5. A Waiter is heap-allocated by its awaitable, so an awaitable may move (combinators move
//      what they race) without invalidating the queue's links; the awaitable's destructor
//      unlinks it (a cancelled wait), under the mutex, and gives back whatever it was granted
//      and did not consume.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "weft/plugin.h"

namespace weft {
inline namespace sdk {
namespace detail {

struct Waiter {
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    bool queued = false;
    bool woken = false;           // granted (rule 3)
    bool closed = false;          // woken because the primitive closed
    std::uint64_t need = 0;       // what it waits for: permits, a generation
    weft_waker* waker = nullptr;  // owned while queued

    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    ~Waiter() { weft_waker_drop(std::exchange(waker, nullptr)); }

    // Rule 2: clones the polled task's waker once per wait.
    [[nodiscard]] weft_status arm(weft_context* cx) noexcept {
        if (waker) return WEFT_OK;
        return weft_context_waker(cx, &waker);
    }
    // Rule 3: grants and wakes (under the primitive's mutex, after unlinking).
    void wake() noexcept {
        woken = true;
        weft_waker_wake(std::exchange(waker, nullptr));
    }
};

// An intrusive FIFO of Waiters; every call under the owning primitive's mutex.
class WaitQueue {
   public:
    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
    [[nodiscard]] Waiter* front() const noexcept { return head_; }
    void push_back(Waiter& w) noexcept {
        w.prev = tail_;
        w.next = nullptr;
        if (tail_) {
            tail_->next = &w;
        } else {
            head_ = &w;
        }
        tail_ = &w;
        w.queued = true;
    }
    void remove(Waiter& w) noexcept {
        if (!w.queued) return;
        (w.prev ? w.prev->next : head_) = w.next;
        (w.next ? w.next->prev : tail_) = w.prev;
        w.prev = w.next = nullptr;
        w.queued = false;
    }
    Waiter* pop_front() noexcept {
        Waiter* w = head_;
        if (w) remove(*w);
        return w;
    }
    // Wakes every waiter (closing, cancelling, a barrier's generation ending).
    void wake_all(bool closed = false) noexcept {
        while (Waiter* w = pop_front()) {
            w->closed = closed;
            w->wake();
        }
    }

   private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
};

}  // namespace detail
}  // namespace sdk
}  // namespace weft
