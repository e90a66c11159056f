// Futex: sleep until a 32-bit atomic word no longer holds a value (Linux futex(2), process
// private). Only the blocking is here; the protocol that makes a wake-up impossible to lose is
// the caller's: the waker changes the word before it calls wake_one(), and wait() checks the
// word and goes to sleep as one step in the kernel, so a change that comes first is never slept
// through.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace weft::detail::futex {

static_assert(sizeof(std::atomic<int>) == sizeof(int) && std::atomic<int>::is_always_lock_free,
              "the kernel sees the atomic's own int");

// Blocks while `word` holds `expected`; returns at once if it does not. May return spuriously
// (a signal, another wake): the caller checks the word again.
inline void wait(std::atomic<int>& word, int expected) noexcept {
    ::syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr,
              nullptr, 0);
}

// Wakes one thread blocked in wait() on `word`, if there is one.
inline void wake_one(std::atomic<int>& word) noexcept {
    ::syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace weft::detail::futex
