// The range each Builder setting accepts, and the one parser of WEFT_WORKER_THREADS.
//
// Builder::validate enforces these ranges; the daemon's config validator (host/config/schema.hpp)
// takes its ranges for the runtime section from here, and config/weftd.schema.json states the
// same numbers for editors (tests/host/schema_agreement_test.cpp checks that they agree).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weft::limits {

inline constexpr std::size_t kMaxWorkerThreads = 1024;
inline constexpr std::size_t kMaxBlockingThreads = 100'000;
// global_queue_interval and event_interval, in scheduler ticks.
inline constexpr std::uint32_t kMaxQueueInterval = 1'000'000;
inline constexpr std::uint32_t kMaxBudget = 1'000'000;
inline constexpr std::chrono::milliseconds kMaxThreadKeepAlive = std::chrono::hours(24);
// long_poll_threshold; 0 turns the long-poll report off.
inline constexpr std::chrono::milliseconds kMaxLongPollThreshold = std::chrono::hours(1);

// The environment variable that overrides the default worker count, as TOKIO_WORKER_THREADS does.
inline constexpr const char* kWorkerThreadsVariable = "WEFT_WORKER_THREADS";

// WEFT_WORKER_THREADS's value as a worker count: a whole decimal number in 1..kMaxWorkerThreads
// and nothing else (no sign, no spaces). Empty when the text is anything else. Thread-safe.
[[nodiscard]] std::optional<std::size_t> parse_worker_threads(std::string_view text) noexcept;

}  // namespace weft::limits
