#include "runtime/util/block_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_BLOCK_CACHE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_BLOCK_CACHE_ASAN 1
#endif
#endif
#ifdef WEFT_BLOCK_CACHE_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace weft::detail::block_cache {
namespace {

struct FreeBlock {
    FreeBlock* next;
};

// Class c holds blocks of 16c + 8 bytes: glibc serves those from chunks of 16(c + 1) bytes with
// nothing left over (a chunk's size word takes the other 8), where a multiple of 16 would waste 8.
// The smallest is 24 bytes, glibc's smallest chunk (class 0 stays empty).
constexpr std::size_t class_of_size(std::size_t bytes) noexcept {
    return (std::max(bytes, std::size_t{24}) + 7) / 16;
}
constexpr std::size_t bytes_of_class(std::size_t c) noexcept { return 16 * c + 8; }
constexpr std::size_t kClasses = class_of_size(kMaxBlockBytes) + 1;

struct Lists {
    FreeBlock* head[kClasses];
    std::size_t cached_bytes;
    unsigned depth;  // ThreadScopes alive on this thread
};

// Trivially constructed and destroyed: no guard on access, nothing to run at thread exit (the
// outermost ThreadScope empties the lists).
constinit thread_local Lists t_lists{};

// A kept block is poisoned but for its link.
void poison(FreeBlock* b, std::size_t bytes) noexcept {
#ifdef WEFT_BLOCK_CACHE_ASAN
    ASAN_POISON_MEMORY_REGION(reinterpret_cast<char*>(b) + sizeof(FreeBlock),
                              bytes - sizeof(FreeBlock));
#else
    (void)b;
    (void)bytes;
#endif
}
void unpoison(FreeBlock* b, std::size_t bytes) noexcept {
#ifdef WEFT_BLOCK_CACHE_ASAN
    ASAN_UNPOISON_MEMORY_REGION(b, bytes);
#else
    (void)b;
    (void)bytes;
#endif
}

void free_all(Lists& t) noexcept {
    for (std::size_t c = 0; c < kClasses; ++c) {
        while (FreeBlock* b = t.head[c]) {
            unpoison(b, bytes_of_class(c));
            t.head[c] = b->next;
            std::free(b);
        }
    }
    t.cached_bytes = 0;
}

}  // namespace

void* allocate(std::size_t bytes) {
    if (bytes - 1 < kMaxBlockBytes) {  // 1..kMaxBlockBytes (0 wraps to the largest size_t)
        const std::size_t c = class_of_size(bytes);
        bytes = bytes_of_class(c);  // a block made outside a scope may be kept when freed in one
        Lists& t = t_lists;
        if (FreeBlock* b = t.head[c]) {
            unpoison(b, bytes);
            t.head[c] = b->next;
            t.cached_bytes -= bytes;
            return b;
        }
    }
    void* block = std::malloc(bytes);
    if (!block) throw std::bad_alloc();
    return block;
}

void deallocate(void* block, std::size_t bytes) noexcept {
    Lists& t = t_lists;
    if (t.depth == 0 || !block) {
        std::free(block);
        return;
    }
    std::size_t c;
    if (bytes != 0) {
        c = class_of_size(bytes);
    } else {
        // At least what allocate asked malloc for, which was a class's size: round down.
        const std::size_t usable = malloc_usable_size(block);
        c = usable < 8 ? kClasses : (usable - 8) / 16;
    }
    const std::size_t class_bytes = bytes_of_class(c);
    if (c >= kClasses || t.cached_bytes + class_bytes > kMaxCachedBytes) {
        std::free(block);
        return;
    }
    auto* b = static_cast<FreeBlock*>(block);
    b->next = t.head[c];
    t.head[c] = b;
    t.cached_bytes += class_bytes;
    poison(b, class_bytes);
}

ThreadScope::ThreadScope() noexcept { ++t_lists.depth; }

ThreadScope::~ThreadScope() {
    Lists& t = t_lists;
    if (--t.depth == 0) free_all(t);
}

std::size_t cached_bytes() noexcept { return t_lists.cached_bytes; }

}  // namespace weft::detail::block_cache
