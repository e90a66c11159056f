// Specification of the block cache (runtime/util/block_cache.hpp) and the runs behind it
// (block_runs.hpp): alignment, which thread keeps a freed block, for whom, and how much.
#include <sys/mman.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/util/block_cache.hpp"
#include "runtime/util/block_runs.hpp"
#include "support.hpp"

namespace block_cache = weft::detail::block_cache;

namespace {
bool line_aligned(void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }
}  // namespace

TEST_CASE("block cache: small blocks are 64-byte aligned and share no cache line",
          "[block_cache]") {
    for (std::size_t bytes : {1u, 40u, 64u, 65u, 200u, 1000u, 1024u}) {
        void* a = block_cache::allocate(bytes);
        void* b = block_cache::allocate(bytes);
        CHECK(line_aligned(a));
        CHECK(line_aligned(b));
        const auto distance =
            reinterpret_cast<std::intptr_t>(b) - reinterpret_cast<std::intptr_t>(a);
        CHECK(static_cast<std::size_t>(distance < 0 ? -distance : distance) >= bytes);
        block_cache::deallocate(a, bytes);
        block_cache::deallocate(b, bytes);
    }
}

TEST_CASE("block cache: blocks over the largest class come from malloc", "[block_cache]") {
    const block_cache::ThreadScope scope;
    void* block = block_cache::allocate(block_cache::kMaxBlockBytes + 1);
    CHECK(reinterpret_cast<std::uintptr_t>(block) % 16 == 0);
    block_cache::deallocate(block, block_cache::kMaxBlockBytes + 1);
    CHECK(block_cache::cached_bytes() == 0);
}

TEST_CASE("block cache: a thread outside every scope keeps nothing", "[block_cache]") {
    void* block = block_cache::allocate(100);
    block_cache::deallocate(block, 100);
    CHECK(block_cache::cached_bytes() == 0);
}

TEST_CASE("block cache: inside a scope a freed block serves the next request of its class",
          "[block_cache]") {
    const block_cache::ThreadScope scope;
    void* block = block_cache::allocate(100);
    block_cache::deallocate(block, 100);
    CHECK(block_cache::cached_bytes() >= 128);
    CHECK(block_cache::allocate(97) == block);  // 97 and 100 bytes share a class (128)
    block_cache::deallocate(block, 97);
}

TEST_CASE("block cache: a refill brings a batch the next requests take without locking",
          "[block_cache]") {
    const block_cache::ThreadScope scope;
    void* first = block_cache::allocate(256);
    CHECK(block_cache::cached_bytes() > 0);  // the rest of the batch
    block_cache::deallocate(first, 256);
}

TEST_CASE("block cache: a thread keeps at most kMaxClassBytes of one class", "[block_cache]") {
    // Blocks allocated on one thread and freed on another pile up on the freeing thread: the
    // bound gives them back for the allocating thread to take, instead of it carving new ones.
    const block_cache::ThreadScope scope;
    std::vector<void*> blocks;
    for (std::size_t kept = 0; kept < 2 * block_cache::kMaxClassBytes; kept += 1024)
        blocks.push_back(block_cache::allocate(1000));
    for (void* b : blocks) block_cache::deallocate(b, 1000);
    CHECK(block_cache::cached_bytes() <= block_cache::kMaxClassBytes);
    CHECK(block_cache::cached_bytes() >= block_cache::kMaxClassBytes / 4);
}

TEST_CASE("block cache: a thread keeps at most kMaxCachedBytes in all", "[block_cache]") {
    const block_cache::ThreadScope scope;
    std::vector<std::pair<void*, std::size_t>> blocks;
    for (std::size_t bytes = 64; bytes <= block_cache::kMaxBlockBytes; bytes += 64)
        for (std::size_t kept = 0; kept < block_cache::kMaxClassBytes; kept += bytes)
            blocks.emplace_back(block_cache::allocate(bytes), bytes);
    static_assert(block_cache::kClasses * block_cache::kMaxClassBytes >
                  block_cache::kMaxCachedBytes);  // so the bound in all is the one that holds
    for (auto [b, bytes] : blocks) block_cache::deallocate(b, bytes);
    CHECK(block_cache::cached_bytes() <= block_cache::kMaxCachedBytes);
    CHECK(block_cache::cached_bytes() >= block_cache::kMaxCachedBytes / 4);
}

TEST_CASE("block cache: leaving the outermost scope gives back what the thread kept",
          "[block_cache]") {
    {
        const block_cache::ThreadScope outer;
        {
            const block_cache::ThreadScope inner;
            block_cache::deallocate(block_cache::allocate(64), 64);
        }
        CHECK(block_cache::cached_bytes() > 0);  // still inside `outer`
    }
    CHECK(block_cache::cached_bytes() == 0);
}

TEST_CASE("block cache: a block freed on another thread joins that thread's lists",
          "[block_cache]") {
    void* block = block_cache::allocate(128);
    std::thread other([block] {
        const block_cache::ThreadScope scope;
        block_cache::deallocate(block, 128);
        CHECK(block_cache::allocate(128) == block);
        block_cache::deallocate(block, 128);
    });
    other.join();
    CHECK(block_cache::cached_bytes() == 0);
}

TEST_CASE("block cache: memory of a burst is unmapped once every block of it is back",
          "[block_cache]") {
    const std::size_t before = block_cache::mapped_segments();
    {
        const block_cache::ThreadScope scope;
        std::vector<void*> blocks(100'000);  // about 12 MiB of 128-byte blocks
        for (void*& b : blocks) b = block_cache::allocate(128);
        CHECK(block_cache::mapped_segments() >= before + 10);
        for (void* b : blocks) block_cache::deallocate(b, 128);
    }
    // One segment with free runs stays mapped for the next burst (and others' blocks may hold
    // a segment or two of their own).
    CHECK(block_cache::mapped_segments() <= before + 2);
}

namespace {
// Whether this kernel prefaults on request (MADV_POPULATE_WRITE, Linux 5.14).
bool kernel_populates() {
#ifdef MADV_POPULATE_WRITE
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* p = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    const bool ok = ::madvise(p, page, MADV_POPULATE_WRITE) == 0;
    ::munmap(p, page);
    return ok;
#else
    return false;
#endif
}
}  // namespace

TEST_CASE(
    "block cache: once a program has taken kLazyRuns runs, a run's pages are faulted in "
    "together when it is handed out",
    "[block_cache]") {
    if (!kernel_populates()) {
        WARN("this kernel does not prefault on request: nothing to check");
        return;
    }
    // The largest class: 15 blocks to a run, and a refill takes about 4 KiB of a run, so without
    // the prefault most of a fresh run's pages would still be untouched. Enough blocks that more
    // than kLazyRuns runs are taken whatever this process took before; the last block's run is
    // the newest.
    const std::size_t bytes = block_cache::kMaxBlockBytes;
    const std::size_t per_run = block_cache::kRunBytes / bytes;
    std::vector<void*> blocks((block_cache::kLazyRuns + 2) * per_run);
    for (void*& b : blocks) b = block_cache::allocate(bytes);
    auto* run = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(blocks.back()) &
                                        ~(block_cache::kRunBytes - 1));
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident(block_cache::kRunBytes / page);
    REQUIRE(::mincore(run, block_cache::kRunBytes, resident.data()) == 0);
    for (unsigned char r : resident) CHECK((r & 1) == 1);
    for (void* b : blocks) block_cache::deallocate(b, bytes);
}

TEST_CASE("block cache: a current_thread runtime keeps finished tasks' blocks while it runs",
          "[block_cache]") {
    weft::Runtime rt = weft::test::make_runtime(weft::Flavor::current_thread);
    std::size_t kept_inside = 0;
    rt.block_on([](std::size_t& kept) -> weft::Task<void> {
        for (int i = 0; i < 10; ++i)
            co_await weft::spawn([]() -> weft::Task<int> { co_return 1; }());
        kept = block_cache::cached_bytes();
    }(kept_inside));
    CHECK(kept_inside > 0);
    CHECK(block_cache::cached_bytes() == 0);  // block_on returned: the thread holds nothing
}

// LeakSanitizer does not see the blocks of runs: this is the leak check of the task lifecycle.
TEST_CASE("block cache: a destroyed runtime has given back every block its tasks took",
          "[block_cache]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    const std::size_t before = block_cache::outstanding_blocks();
    {
        weft::Runtime rt = weft::test::make_runtime(flavor);
        rt.block_on([]() -> weft::Task<void> {
            std::vector<weft::JoinHandle<int>> kept;
            for (int i = 0; i < 1000; ++i) {
                auto h = weft::spawn([](int i) -> weft::Task<int> {
                    if (i % 3 == 0) co_await weft::yield_now();
                    co_return i;
                }(i));
                if (i % 2 == 0)
                    kept.push_back(std::move(h));  // awaited below
                else if (i % 5 == 0)
                    h.abort();
                else
                    h.detach();
            }
            for (auto& h : kept) (void)co_await h;
            // Still pending when the runtime goes: cancelled by its shutdown.
            weft::spawn([]() -> weft::Task<void> {
                for (;;) co_await weft::yield_now();
            }())
                .detach();
        }());
    }
    CHECK(block_cache::outstanding_blocks() == before);
}
