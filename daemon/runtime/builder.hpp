// Builder: the one way to make a Runtime, with every setting checked.
//
//   auto rt = weft::Builder::new_multi_thread().worker_threads(4).build();
//
// build() throws BuildError naming the setting and its allowed range (runtime/limits.hpp) when a
// value is invalid.
// worker_threads defaults to the number of CPUs; WEFT_WORKER_THREADS overrides that default (not
// an explicit worker_threads()), as TOKIO_WORKER_THREADS does.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "runtime/config.hpp"
#include "runtime/limits.hpp"

namespace weft {

class Runtime;

class BuildError : public std::invalid_argument {
   public:
    using std::invalid_argument::invalid_argument;
};

class Builder {
   public:
    [[nodiscard]] static Builder new_multi_thread() { return Builder(Flavor::multi_thread); }
    [[nodiscard]] static Builder new_current_thread() { return Builder(Flavor::current_thread); }

    Builder& worker_threads(std::size_t n) {
        config_.worker_threads = n;
        explicit_workers_ = true;
        return *this;
    }
    Builder& global_queue_interval(std::uint32_t n) {
        config_.global_queue_interval = n;
        return *this;
    }
    Builder& event_interval(std::uint32_t n) {
        config_.event_interval = n;
        return *this;
    }
    Builder& budget(std::uint32_t n) {
        config_.budget = n;
        return *this;
    }
    Builder& lifo_slot(bool enabled) {
        config_.lifo_slot = enabled;
        return *this;
    }
    Builder& max_blocking_threads(std::size_t n) {
        config_.max_blocking_threads = n;
        return *this;
    }
    Builder& thread_keep_alive(std::chrono::milliseconds d) {
        config_.thread_keep_alive = d;
        return *this;
    }
    Builder& thread_name(std::string name) {
        config_.thread_name = std::move(name);
        return *this;
    }
    Builder& on_thread_start(std::function<void()> f) {
        config_.on_thread_start = std::move(f);
        return *this;
    }
    Builder& on_thread_stop(std::function<void()> f) {
        config_.on_thread_stop = std::move(f);
        return *this;
    }
    Builder& poll_time_histogram(bool enabled) {
        config_.poll_time_histogram = enabled;
        return *this;
    }
    Builder& poll_clock(PollClock clock) {
        config_.poll_clock = clock;
        return *this;
    }
    // Reports polls longer than `threshold` (0: none) to `report`; see
    // runtime/metrics/long_poll.hpp.
    Builder& long_poll_threshold(std::chrono::milliseconds threshold,
                                 std::function<void(const LongPoll&)> report) {
        config_.long_poll_threshold = threshold;
        config_.on_long_poll = std::move(report);
        return *this;
    }

    // The configuration build() would use (defaults and environment applied), or BuildError.
    [[nodiscard]] RuntimeConfig resolved_config() const;
    [[nodiscard]] Runtime build() const;

    // The first invalid setting of `config`, described, or nothing.
    [[nodiscard]] static std::optional<std::string> validate(const RuntimeConfig& config);

   private:
    explicit Builder(Flavor flavor) { config_.flavor = flavor; }
    RuntimeConfig config_;
    bool explicit_workers_ = false;
};

}  // namespace weft
