// BlockCache: per-thread free lists of the runtime's small, short-lived blocks (task blocks and
// coroutine frames, oneshot states), so that a burst of tasks reuses its memory instead of
// returning it to malloc.
//
// Why: glibc merges freed blocks back into the top of its heap and, once the top holds more than
// its trim threshold (128 KiB), gives the pages back to the kernel; the next burst faults them in
// again. A round of 1,000 ping-pong pairs (ping_pong, current_thread) did that every round: 3,005
// `brk` calls and some 38,000 page faults per run where Tokio, whose blocks happen to keep the
// top pinned, made 6. Keeping freed blocks on the thread also skips malloc's own bookkeeping.
//
// Contract:
//  - Only a thread inside a ThreadScope (a runtime worker, a current_thread block_on) keeps
//    blocks: elsewhere allocate and deallocate are malloc and free. Leaving the outermost scope
//    frees what the thread kept, so a thread that stops running tasks holds nothing.
//  - A thread keeps at most kMaxCachedBytes (256 KiB); beyond that a freed block goes to free().
//    A worker of an idle daemon may hold that much until it exits: the price of not faulting a
//    burst's memory in again.
//  - A block may be freed on any thread (it joins that thread's lists), as with malloc.
//  - Blocks of up to kMaxBlockBytes come in classes 16 bytes apart (24, 40, 56, ...: sizes that
//    fill glibc's chunks); larger ones go straight to malloc.
//    `deallocate` takes the size passed to `allocate`, or 0 when the caller no longer knows it
//    (a task block freed after its frame): the class is then read from malloc_usable_size, which
//    is at least the class size, since the block was allocated with exactly that many bytes.
//  - Thread-safety: the lists are thread-local; nothing is shared, nothing is atomic.
//  - Under AddressSanitizer a kept block is poisoned (but for its link word), so a use after
//    free still reports.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weft::detail::block_cache {

inline constexpr std::size_t kMaxBlockBytes = 1032;  // the largest class: 16 * 64 + 8
inline constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 18;

// A block of at least `bytes` bytes, aligned to 16. Throws std::bad_alloc.
[[nodiscard]] void* allocate(std::size_t bytes);

// Gives back a block from allocate(bytes); `bytes` may be 0 (see the top of this file).
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
