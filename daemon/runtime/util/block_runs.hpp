// Block runs: where the block cache's blocks come from, and where they go back.
//
// Why not malloc: glibc's blocks are 16-byte aligned and packed, so the end of one task's block
// and the start of the next share a cache line. When the two tasks run on different workers, the
// state word one worker writes invalidates the line the other is using: in yield_many
// (multi_thread) that false sharing tripled the cost of a yield (0.29 s against 0.11 s with
// 64-byte aligned blocks). Aligning each block with memalign costs a fragment per block (a
// million queued tasks took twice the memory), so blocks are carved from runs instead.
//
// A run is kRunBytes (16 KiB) aligned to kRunBytes, cut from a mapped segment of 1 MiB: a 64-byte
// header, then blocks of one class, each a multiple of 64 bytes and 64-byte aligned, so no two
// blocks share a line. A block finds its run by masking its address.
//
// Per class, a pool (its own mutex) carves the run it is filling and keeps a list of runs that
// hold returned blocks, which are handed out before anything is carved. A run whose blocks have
// all come back (and that is not being carved) returns to its segment; a segment with no run in
// use is unmapped, but the last one with free runs stays. Callers take and give blocks in batches
// (the block cache's refills and overflows), so the lock is taken once per batch.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <cstddef>

namespace weft::detail::block_cache {

inline constexpr std::size_t kLineBytes = 64;
inline constexpr std::size_t kRunBytes = 16 * 1024;
// The first kLazyRuns runs a process takes (a megabyte) fault their pages in as blocks are
// carved; from then on a run's pages are faulted in together when it is handed out.
inline constexpr std::size_t kLazyRuns = 64;

// Blocks of up to kMaxBlockBytes come from runs, in classes kLineBytes apart.
inline constexpr std::size_t kMaxBlockBytes = 1024;
inline constexpr std::size_t kClasses = kMaxBlockBytes / kLineBytes;

[[nodiscard]] constexpr std::size_t class_of_size(std::size_t bytes) noexcept {
    return (bytes - 1) / kLineBytes;  // bytes in 1..kMaxBlockBytes
}
[[nodiscard]] constexpr std::size_t bytes_of_class(std::size_t c) noexcept {
    return (c + 1) * kLineBytes;
}

// A free block: its first word links it to the next.
struct FreeBlock {
    FreeBlock* next;
};

// Takes up to `max` (>= 1) blocks of class c: the chain's first block, linked through `next`
// (the last's is null), and the count in `taken` (>= 1). Under ASan the blocks come poisoned
// but for their link word. Throws std::bad_alloc when nothing is
// left to hand out and no run can be mapped.
[[nodiscard]] FreeBlock* take_blocks(std::size_t c, std::size_t max, std::size_t& taken);

// Gives back a chain of blocks of class c (linked through `next`, null-terminated).
void give_back(std::size_t c, FreeBlock* chain) noexcept;

// Segments (of 1 MiB, the memory runs are cut from) mapped now, for tests and metrics.
[[nodiscard]] std::size_t mapped_segments() noexcept;

// Blocks taken and not given back (in use, or kept in a thread's cache). LeakSanitizer does not
// see blocks of runs (they are not malloc's), so tests check this count instead: whatever a
// runtime allocated is back once it is destroyed.
[[nodiscard]] std::size_t outstanding_blocks() noexcept;

}  // namespace weft::detail::block_cache
