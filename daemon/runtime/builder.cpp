#include "runtime/builder.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "runtime/runtime.hpp"

namespace weft {
namespace {

using limits::kMaxBlockingThreads;
using limits::kMaxBudget;
using limits::kMaxLongPollThreshold;
using limits::kMaxQueueInterval;
using limits::kMaxThreadKeepAlive;
using limits::kMaxWorkerThreads;

std::optional<std::string> out_of_range(std::string_view setting, std::uint64_t value,
                                        std::uint64_t lo, std::uint64_t hi) {
    if (value >= lo && value <= hi) return std::nullopt;
    return std::string(setting) + " must be between " + std::to_string(lo) + " and " +
           std::to_string(hi) + ", got " + std::to_string(value);
}

std::size_t default_workers() {
    if (const char* env = std::getenv(limits::kWorkerThreadsVariable)) {
        if (auto n = limits::parse_worker_threads(env)) return *n;
        throw BuildError(std::string(limits::kWorkerThreadsVariable) +
                         " must be a whole number between 1 and " +
                         std::to_string(kMaxWorkerThreads) + ", got \"" + env + "\"");
    }
    unsigned cpus = std::thread::hardware_concurrency();
    return cpus == 0 ? 1 : cpus;
}

}  // namespace

std::optional<std::size_t> limits::parse_worker_threads(std::string_view text) noexcept {
    std::size_t n = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || stop != end || n == 0 || n > kMaxWorkerThreads) return std::nullopt;
    return n;
}

std::optional<std::string> Builder::validate(const RuntimeConfig& c) {
    if (auto e = out_of_range("worker_threads", c.worker_threads, 1, kMaxWorkerThreads)) return e;
    if (auto e =
            out_of_range("global_queue_interval", c.global_queue_interval, 1, kMaxQueueInterval))
        return e;
    if (auto e = out_of_range("event_interval", c.event_interval, 1, kMaxQueueInterval)) return e;
    if (auto e = out_of_range("budget", c.budget, 1, kMaxBudget)) return e;
    if (auto e =
            out_of_range("max_blocking_threads", c.max_blocking_threads, 1, kMaxBlockingThreads))
        return e;
    if (c.thread_keep_alive.count() < 1 || c.thread_keep_alive > kMaxThreadKeepAlive)
        return "thread_keep_alive must be between 1 ms and " +
               std::to_string(kMaxThreadKeepAlive.count()) + " ms, got " +
               std::to_string(c.thread_keep_alive.count()) + " ms";
    if (c.long_poll_threshold.count() < 0 || c.long_poll_threshold > kMaxLongPollThreshold)
        return "long_poll_threshold must be between 0 and " +
               std::to_string(kMaxLongPollThreshold.count()) + " ms, got " +
               std::to_string(c.long_poll_threshold.count()) + " ms";
    if (c.thread_name.find_first_not_of(" \t\n\v\f\r") == std::string::npos)
        return std::string("thread_name must not be empty or only whitespace");
    return std::nullopt;
}

RuntimeConfig Builder::resolved_config() const {
    RuntimeConfig c = config_;
    if (c.flavor == Flavor::current_thread)
        c.worker_threads = 1;
    else if (!explicit_workers_)
        c.worker_threads = default_workers();
    if (auto error = validate(c)) throw BuildError("invalid runtime setting: " + *error);
    if (c.long_poll_threshold.count() > 0) c.poll_time_histogram = true;
    return c;
}

Runtime Builder::build() const { return Runtime(resolved_config()); }

}  // namespace weft
