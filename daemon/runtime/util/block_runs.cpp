#include "runtime/util/block_runs.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>

#include "runtime/util/intrusive_list.hpp"
#include "runtime/util/poison.hpp"

namespace weft::detail::block_cache {
namespace {

// The header of a run; every field is guarded by its class pool's mutex.
struct Run {
    std::uint32_t capacity;  // blocks that fit
    std::uint32_t carved;    // handed out from the uncarved tail so far
    std::uint32_t returned;  // blocks on `free`
    FreeBlock* free;
    Run* prev;
    Run* next;
};
static_assert(sizeof(Run) <= kLineBytes);

std::byte* block_at(Run* r, std::size_t c, std::uint32_t i) noexcept {
    return reinterpret_cast<std::byte*>(r) + kLineBytes + i * bytes_of_class(c);
}
Run* run_of(void* block) noexcept {
    return reinterpret_cast<Run*>(reinterpret_cast<std::uintptr_t>(block) & ~(kRunBytes - 1));
}

std::atomic<std::size_t> g_mapped{0};       // segments
std::atomic<std::size_t> g_outstanding{0};  // blocks

// Runs come from segments: kSegmentBytes mapped at once and aligned to their size (map twice as
// much, unmap the misaligned ends), so a run finds its segment by masking its address. The first
// run of a segment holds its header; the others are handed out. One mapping per megabyte
// instead of one per run. A segment whose runs are all free is unmapped, unless it is the only
// one with free runs: that one stays for the next burst.
class RunMemory {
   public:
    void* take() {
        void* run;
        bool bulk;
        {
            std::lock_guard lock(mutex_);
            if (available_.empty()) map_segment();
            Segment* s = available_.front();
            if (FreeRun* r = s->free) {
                s->free = r->next;
                run = r;
            } else {  // never used yet: its pages were never touched
                run = reinterpret_cast<std::byte*>(s) + s->fresh++ * kRunBytes;
            }
            if (--s->free_runs == 0) available_.remove(s);
            bulk = ++taken_ > kLazyRuns;
        }
        if (bulk) populate(run);  // the run is ours alone now: its faults need not hold the lock
        return run;
    }
    void give(void* run) noexcept {
        std::lock_guard lock(mutex_);
        Segment* s = segment_of(run);
        s->free = ::new (run) FreeRun{s->free};
        if (s->free_runs++ == 0) available_.push_front(s);
        if (s->free_runs == kSegmentRuns - 1 && available_.front() != available_.back()) {
            available_.remove(s);
            unmap_segment(s);
        }
    }

   private:
    struct FreeRun {
        FreeRun* next;
    };
    // Lives in the segment's first run, which is never handed out.
    struct Segment {
        FreeRun* free;          // runs given back
        std::size_t fresh;      // runs from this index on were never handed out
        std::size_t free_runs;  // on `free` or fresh
        Segment* prev;
        Segment* next;
    };
    static constexpr std::size_t kSegmentBytes = std::size_t{1} << 20;
    static constexpr std::size_t kSegmentRuns = kSegmentBytes / kRunBytes;

    // Faults a run's pages in with one call instead of one fault per page as blocks are carved:
    // the run is about to be carved, so its pages will be touched anyway (a run given back and
    // taken again may have some resident already: those cost a page-table walk, no fault). Under a
    // hypervisor each separate fault is dear (spawn_many_local current_thread, a million tasks:
    // system time 0.21 s -> 0.06 s, wall 0.80 s -> 0.47 s). Only after the first kLazyRuns
    // runs (a segment's worth): a program with a few tasks of each size would otherwise hold
    // 16 KiB per class for blocks it never carves (tcp_connect_many multi_thread: 148-196 KiB of
    // runs resident, 92-104 KiB with the first megabyte lazy). Best effort: a kernel without
    // MADV_POPULATE_WRITE (before 5.14) refuses it, and the pages fault in one by one as before.
    static void populate(void* run) noexcept {
#ifdef MADV_POPULATE_WRITE
        ::madvise(run, kRunBytes, MADV_POPULATE_WRITE);
#else
        (void)run;
#endif
    }
    static Segment* segment_of(void* run) noexcept {
        return reinterpret_cast<Segment*>(reinterpret_cast<std::uintptr_t>(run) &
                                          ~(kSegmentBytes - 1));
    }

    void map_segment() {
        void* p = ::mmap(nullptr, 2 * kSegmentBytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        const auto start = reinterpret_cast<std::uintptr_t>(p);
        const std::uintptr_t aligned = (start + kSegmentBytes - 1) & ~(kSegmentBytes - 1);
        if (aligned > start) ::munmap(p, aligned - start);
        ::munmap(reinterpret_cast<void*>(aligned + kSegmentBytes),
                 start + 2 * kSegmentBytes - aligned - kSegmentBytes);
        auto* s = ::new (reinterpret_cast<void*>(aligned))
            Segment{nullptr, 1, kSegmentRuns - 1, nullptr, nullptr};
        available_.push_front(s);
        g_mapped.fetch_add(1, std::memory_order_relaxed);
    }
    static void unmap_segment(Segment* s) noexcept {
        g_mapped.fetch_sub(1, std::memory_order_relaxed);
        ::munmap(s, kSegmentBytes);
    }
    std::mutex mutex_;
    std::size_t taken_ = 0;  // runs handed out so far (under mutex_)
    IntrusiveList<Segment, Segment, &Segment::prev, &Segment::next> available_;  // with free runs
};

constinit RunMemory g_memory;

class Pool {
   public:
    FreeBlock* take(std::size_t c, std::size_t max, std::size_t& taken) {
        std::lock_guard lock(mutex_);
        FreeBlock* first = nullptr;
        FreeBlock** link = &first;
        std::size_t n = 0;
        while (n < max) {
            if (Run* r = partial_.front()) {  // returned blocks first: they keep runs full
                while (n < max && r->free) {
                    FreeBlock* b = r->free;
                    r->free = b->next;
                    --r->returned;
                    *link = b;
                    link = &b->next;
                    ++n;
                }
                if (!r->free) partial_.remove(r);
                continue;
            }
            if (!carving_ || carving_->carved == carving_->capacity) {
                Run* full = carving_;
                try {
                    carving_ = new_run(c);
                } catch (...) {
                    if (n > 0) break;  // hand out what there is
                    throw;
                }
                if (full && full->returned == full->carved) retire(full);
            }
            Run* r = carving_;
            while (n < max && r->carved < r->capacity) {
                auto* b = reinterpret_cast<FreeBlock*>(block_at(r, c, r->carved++));
                unpoison(b, sizeof(FreeBlock));
                *link = b;
                link = &b->next;
                ++n;
            }
        }
        *link = nullptr;
        taken = n;
        g_outstanding.fetch_add(n, std::memory_order_relaxed);
        return first;
    }

    void give_back(std::size_t c, FreeBlock* chain) noexcept {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        while (FreeBlock* b = chain) {
            chain = b->next;
            ++n;
            Run* r = run_of(b);
            b->next = r->free;
            r->free = b;
            ++r->returned;
            poison(b, bytes_of_class(c), sizeof(FreeBlock));
            if (r->returned == r->carved && r != carving_) {
                retire(r);
            } else if (!partial_.contains(r)) {
                partial_.push_front(r);
            }
        }
        g_outstanding.fetch_sub(n, std::memory_order_relaxed);
    }

   private:
    static Run* new_run(std::size_t c) {
        void* memory = g_memory.take();
        poison(memory, kRunBytes, 0);
        unpoison(memory, sizeof(Run));
        const auto capacity =
            static_cast<std::uint32_t>((kRunBytes - kLineBytes) / bytes_of_class(c));
        return ::new (memory) Run{capacity, 0, 0, nullptr, nullptr, nullptr};
    }
    // A run whose blocks are all back (and that is not being carved) goes back to its segment.
    void retire(Run* r) noexcept {
        if (partial_.contains(r)) partial_.remove(r);
        unpoison(r, kRunBytes);
        g_memory.give(r);
    }
    std::mutex mutex_;
    Run* carving_ = nullptr;                                   // the run blocks are carved from
    IntrusiveList<Run, Run, &Run::prev, &Run::next> partial_;  // runs with returned blocks
};

constinit Pool g_pools[kClasses];

}  // namespace

FreeBlock* take_blocks(std::size_t c, std::size_t max, std::size_t& taken) {
    return g_pools[c].take(c, max, taken);
}

void give_back(std::size_t c, FreeBlock* chain) noexcept { g_pools[c].give_back(c, chain); }

std::size_t mapped_segments() noexcept { return g_mapped.load(std::memory_order_relaxed); }

std::size_t outstanding_blocks() noexcept { return g_outstanding.load(std::memory_order_relaxed); }

}  // namespace weft::detail::block_cache
