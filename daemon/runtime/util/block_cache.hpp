// BlockCache: the allocator of the runtime's small, short-lived blocks (task blocks with their
// coroutine frames, oneshot states). Per-thread free lists in front of block runs
// (block_runs.hpp), so that a burst of tasks reuses its memory and no two blocks share a cache
// line.
//
// Why a cache: glibc merges freed blocks back into the top of its heap and, once the top holds
// more than its trim threshold (128 KiB), gives the pages back to the kernel; the next burst
// faults them in again. A round of 1,000 ping-pong pairs (ping_pong, current_thread) did that
// every round: 3,005 `brk` calls and some 38,000 page faults per run where Tokio, whose blocks
// happen to keep the top pinned, made 6.
//
// Contract:
//  - Blocks of up to kMaxBlockBytes (1 KiB) are 64-byte aligned and share no cache line with
//    another block; larger ones come from malloc (16-byte aligned).
//  - `deallocate` takes the size passed to `allocate`: the class is not stored in the block.
//  - Only a thread inside a ThreadScope (a runtime worker, a current_thread block_on) keeps
//    freed blocks; elsewhere they go straight back to their run. Leaving the outermost scope
//    gives back what the thread kept, so a thread that stops running tasks holds nothing.
//  - A thread keeps at most kMaxClassBytes (32 KiB) of one class and kMaxCachedBytes (256 KiB)
//    in all; beyond either it gives back half of the class's list at once. The class bound is
//    for blocks allocated on one thread and freed on another (a task spawned by an accept loop
//    and finished on the other worker): the freeing thread's list would otherwise grow to the
//    whole bound while the allocating thread carves new blocks, and a multi_thread runtime
//    serving short connections held 100 KiB more than it uses. A worker of an idle daemon
//    may hold kMaxCachedBytes until it exits: the price of not taking the lock for a burst.
//  - A block may be freed on any thread (it joins that thread's lists), as with malloc.
//  - Thread-safety: the lists are thread-local; the runs behind them lock per batch.
//  - Under AddressSanitizer a kept block is poisoned (but for its link word), so a use after
//    free still reports.
#pragma once

#include <cstddef>

#include "runtime/util/block_runs.hpp"

namespace weft::detail::block_cache {

inline constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 18;
inline constexpr std::size_t kMaxClassBytes = std::size_t{1} << 15;

// A block of at least `bytes` bytes: 64-byte aligned up to kMaxBlockBytes, 16 beyond. Throws
// std::bad_alloc.
[[nodiscard]] void* allocate(std::size_t bytes);

// Gives back a block from allocate(bytes), with the same `bytes`.
void deallocate(void* block, std::size_t bytes) noexcept;

// While one is alive on a thread, that thread keeps freed blocks for reuse. Nests.
class ThreadScope {
   public:
    ThreadScope() noexcept;
    ~ThreadScope();
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;
};

// What this thread holds now (tests, metrics).
[[nodiscard]] std::size_t cached_bytes() noexcept;

}  // namespace weft::detail::block_cache
