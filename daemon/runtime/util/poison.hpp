// Marks memory an allocator keeps for itself as unusable under AddressSanitizer, so that a use
// after free of a kept block still reports; without ASan, nothing.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_POISON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_POISON_ASAN 1
#endif
#endif
#ifdef WEFT_POISON_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace weft::detail {

// Poisons [p + keep, p + bytes): the first `keep` bytes (a free-list link) stay usable.
inline void poison(void* p, std::size_t bytes, std::size_t keep) noexcept {
#ifdef WEFT_POISON_ASAN
    ASAN_POISON_MEMORY_REGION(static_cast<char*>(p) + keep, bytes - keep);
#else
    (void)p, (void)bytes, (void)keep;
#endif
}

inline void unpoison(void* p, std::size_t bytes) noexcept {
#ifdef WEFT_POISON_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, bytes);
#else
    (void)p, (void)bytes;
#endif
}

}  // namespace weft::detail
