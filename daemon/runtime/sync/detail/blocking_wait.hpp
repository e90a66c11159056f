// blocking_wait: runs one awaitable to completion on a thread outside the runtime (the blocking
// bridges: mpsc blocking_send/blocking_recv, oneshot blocking_recv, Semaphore blocking_acquire;
// Tokio's `block_on` of a future on a plain thread).
//
// Wait/wake protocol:
//  1. The calling thread must not be a runtime thread (a worker, or a thread inside block_on):
//     parking it would stall the tasks it runs, and the task it waits for might be one of them.
//     BlockingWaiter's constructor throws std::logic_error naming the call then (as Tokio
//     panics). A spawn_blocking thread is not a runtime thread: waiting there is the intended use.
//  2. The waker is a counted reference to a ThreadParker (a heap object: an awaitable may keep a
//     clone of the waker registered after the wait returned, e.g. a dropped recv()).
//  3. Loop: poll the awaitable with that waker; ready ends the wait, pending parks the thread.
//     A wake that comes between the poll and the park is not lost: ThreadParker keeps it as a
//     NOTIFIED state and park() returns at once (driver/thread_parker.hpp).
//  4. The coop budget does not apply (the thread runs no task): it is lifted for the wait and
//     restored after.
#pragma once

#include <cstdint>
#include <utility>

#include "runtime/task/context.hpp"
#include "runtime/task/waker.hpp"

namespace weft::sync::detail {

class BlockingWaiter {
   public:
    // Throws std::logic_error, naming `call`, on a runtime thread.
    explicit BlockingWaiter(const char* call);
    ~BlockingWaiter();
    BlockingWaiter(const BlockingWaiter&) = delete;
    BlockingWaiter& operator=(const BlockingWaiter&) = delete;

    [[nodiscard]] Context& cx() noexcept { return cx_; }
    // Parks the thread until the waker is woken (at once if it was since the last park).
    void park();

   private:
    Waker waker_;
    Context cx_;
    std::uint32_t saved_budget_;
};

// Polls `awaitable` to completion on this thread (see the protocol above) and gives its value.
template <class A>
decltype(auto) blocking_wait(A& awaitable, const char* call) {
    BlockingWaiter waiter(call);
    while (!awaitable.poll(waiter.cx())) waiter.park();
    return awaitable.await_resume();
}

}  // namespace weft::sync::detail
