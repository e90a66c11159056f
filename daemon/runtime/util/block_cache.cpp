#include "runtime/util/block_cache.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>

#include "runtime/util/poison.hpp"

namespace weft::detail::block_cache {
namespace {

struct Lists {
    FreeBlock* head[kClasses];
    std::size_t count[kClasses];
    std::size_t cached_bytes;
    unsigned depth;  // ThreadScopes alive on this thread
};

// Trivially constructed and destroyed: no guard on access, nothing to run at thread exit (the
// outermost ThreadScope empties the lists).
constinit thread_local Lists t_lists{};

// A refill takes about 4 KiB of blocks in one lock of the class's pool.
constexpr std::size_t refill_count(std::size_t c) noexcept {
    return std::max<std::size_t>(1, 4096 / bytes_of_class(c));
}

// The most blocks of class c a thread keeps (kMaxClassBytes).
constexpr auto kMaxClassCount = [] {
    std::array<std::size_t, kClasses> max{};
    for (std::size_t c = 0; c < kClasses; ++c) max[c] = kMaxClassBytes / bytes_of_class(c);
    return max;
}();

// Gives back class c's blocks after the first `keep` (the most recently freed, warmest, stay).
void give_back_after(Lists& t, std::size_t c, std::size_t keep) noexcept {
    FreeBlock** link = &t.head[c];
    for (std::size_t i = 0; i < keep; ++i) link = &(*link)->next;
    FreeBlock* rest = *link;
    *link = nullptr;
    const std::size_t n = t.count[c] - keep;
    t.count[c] = keep;
    t.cached_bytes -= n * bytes_of_class(c);
    give_back(c, rest);
}

}  // namespace

void* allocate(std::size_t bytes) {
    if (bytes - 1 >= kMaxBlockBytes) {  // 0 wraps to the largest size_t
        void* block = std::malloc(bytes);
        if (!block) throw std::bad_alloc();
        return block;
    }
    const std::size_t c = class_of_size(bytes);
    Lists& t = t_lists;
    FreeBlock* b = t.head[c];
    if (!b) {
        // Refill (a batch if this thread keeps blocks, else one). The blocks come poisoned but for
        // their links, as kept ones are: the list takes them as they are.
        std::size_t taken = 0;
        b = take_blocks(c, t.depth > 0 ? refill_count(c) : 1, taken);
        t.count[c] = taken;
        t.cached_bytes += taken * bytes_of_class(c);
    }
    unpoison(b, bytes_of_class(c));
    t.head[c] = b->next;
    --t.count[c];
    t.cached_bytes -= bytes_of_class(c);
    return b;
}

void deallocate(void* block, std::size_t bytes) noexcept {
    if (!block) return;
    if (bytes - 1 >= kMaxBlockBytes) {
        std::free(block);
        return;
    }
    const std::size_t c = class_of_size(bytes);
    auto* b = static_cast<FreeBlock*>(block);
    Lists& t = t_lists;
    if (t.depth == 0) {
        b->next = nullptr;
        give_back(c, b);
        return;
    }
    b->next = t.head[c];
    t.head[c] = b;
    ++t.count[c];
    t.cached_bytes += bytes_of_class(c);
    poison(b, bytes_of_class(c), sizeof(FreeBlock));
    if (t.count[c] > kMaxClassCount[c] || t.cached_bytes > kMaxCachedBytes)
        give_back_after(t, c, t.count[c] / 2);
}

ThreadScope::ThreadScope() noexcept { ++t_lists.depth; }

ThreadScope::~ThreadScope() {
    Lists& t = t_lists;
    if (--t.depth != 0) return;
    for (std::size_t c = 0; c < kClasses; ++c)
        if (t.count[c] > 0) give_back_after(t, c, 0);
}

std::size_t cached_bytes() noexcept { return t_lists.cached_bytes; }

}  // namespace weft::detail::block_cache
