// Specification of the per-thread block cache (runtime/util/block_cache.hpp): which thread keeps
// a freed block, for whom, and how much.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "runtime/util/block_cache.hpp"
#include "support.hpp"

namespace block_cache = weft::detail::block_cache;

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
    CHECK(block_cache::cached_bytes() >= 100);
    CHECK(block_cache::allocate(97) == block);  // 97 and 100 bytes share a class
    CHECK(block_cache::cached_bytes() == 0);
    block_cache::deallocate(block, 97);
}

TEST_CASE("block cache: a block freed without its size finds its class", "[block_cache]") {
    const block_cache::ThreadScope scope;
    for (std::size_t bytes : {1u, 8u, 24u, 25u, 200u, 1000u, 1032u}) {
        void* block = block_cache::allocate(bytes);
        block_cache::deallocate(block, 0);
        CHECK(block_cache::allocate(bytes) == block);
        block_cache::deallocate(block, bytes);
    }
}

TEST_CASE("block cache: a block made outside a scope is kept when freed inside one",
          "[block_cache]") {
    void* block = block_cache::allocate(300);
    const block_cache::ThreadScope scope;
    block_cache::deallocate(block, 0);
    CHECK(block_cache::allocate(300) == block);
    block_cache::deallocate(block, 300);
}

TEST_CASE("block cache: blocks over the largest class go back to malloc", "[block_cache]") {
    const block_cache::ThreadScope scope;
    void* block = block_cache::allocate(block_cache::kMaxBlockBytes + 1);
    block_cache::deallocate(block, block_cache::kMaxBlockBytes + 1);
    CHECK(block_cache::cached_bytes() == 0);
    block = block_cache::allocate(2 * block_cache::kMaxBlockBytes);
    block_cache::deallocate(block, 0);
    CHECK(block_cache::cached_bytes() == 0);
}

TEST_CASE("block cache: a thread keeps at most kMaxCachedBytes", "[block_cache]") {
    const block_cache::ThreadScope scope;
    std::vector<void*> blocks;
    for (std::size_t kept = 0; kept < 2 * block_cache::kMaxCachedBytes; kept += 1000)
        blocks.push_back(block_cache::allocate(1000));
    for (void* b : blocks) block_cache::deallocate(b, 1000);
    CHECK(block_cache::cached_bytes() <= block_cache::kMaxCachedBytes);
    CHECK(block_cache::cached_bytes() > block_cache::kMaxCachedBytes - 1024);
}

TEST_CASE("block cache: leaving the outermost scope frees what the thread kept", "[block_cache]") {
    {
        const block_cache::ThreadScope outer;
        {
            const block_cache::ThreadScope inner;
            block_cache::deallocate(block_cache::allocate(64), 64);
        }
        CHECK(block_cache::cached_bytes() > 0);  // still inside `outer`
    }
    CHECK(block_cache::cached_bytes() == 0);
    block_cache::deallocate(block_cache::allocate(64), 64);
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
