// A Waker that unparks one plain thread: for code that blocks a thread outside the runtime on a
// future (block_on from outside, the blocking bridges of sync/detail/blocking_wait.hpp).
//
// Reference counted: the future may keep a clone after the waiting thread has moved on, so the
// parker lives until the last clone is dropped. A wake that comes before the park is kept by the
// ThreadParker (driver/thread_parker.hpp) and ends the next park at once: none is lost.
//
// Thread-safety: as any Waker; park_on is called only by the thread that waits.
#pragma once

#include "runtime/task/waker.hpp"

namespace weft::detail {

// A new waker whose wakes unpark the thread that calls park_on with it.
[[nodiscard]] Waker make_parker_waker();

// Parks the calling thread until `waker` (from make_parker_waker) is woken, or spuriously.
void park_on(const Waker& waker) noexcept;

}  // namespace weft::detail
