// Which sanitizer a test binary is built with, asked the way each compiler answers: GCC defines
// __SANITIZE_ADDRESS__ and __SANITIZE_THREAD__, clang answers __has_feature (GCC 12 has none).
// Tests scale their loads down, or skip a figure a sanitizer distorts, with these.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_TEST_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define WEFT_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WEFT_TEST_TSAN 1
#endif
#endif

namespace weft::test {

#if defined(WEFT_TEST_ASAN)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif

#if defined(WEFT_TEST_TSAN)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif

}  // namespace weft::test
