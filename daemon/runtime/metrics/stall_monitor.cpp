#include "runtime/metrics/stall_monitor.hpp"

#include <pthread.h>

#include <algorithm>

namespace weft::detail {

StallMonitor::StallMonitor(std::vector<PollWatch*> watches, const RuntimeConfig& config,
                           std::function<void(std::size_t, bool)> rescue)
    : watches_(std::move(watches)),
      seen_(watches_.size()),
      threshold_ns_(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(config.long_poll_threshold)
              .count())),
      on_long_poll_(config.on_long_poll),
      rescue_(std::move(rescue)),
      period_(std::clamp(config.long_poll_threshold / 4, std::chrono::milliseconds(1), kPeriod)),
      clock_(config.poll_clock) {
    if (config.long_poll_threshold.count() == 0) period_ = kPeriod;
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "weft-monitor");
        run();
    });
}

StallMonitor::~StallMonitor() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void StallMonitor::run() {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
        lock.unlock();
        const std::uint64_t now = poll_clock_ns(clock_);
        for (std::size_t i = 0; i < watches_.size(); ++i) check(i, now);
        lock.lock();
    }
}

void StallMonitor::check(std::size_t index, std::uint64_t now) {
    PollWatch& watch = *watches_[index];
    Seen& seen = seen_[index];
    const std::uint64_t started = watch.started_ns.load(std::memory_order_relaxed);
    if (started == 0 || started > now) {
        seen = Seen{};
        return;
    }
    if (started != seen.started_ns) seen = Seen{started, threshold_ns_, false};
    const std::uint64_t ran = now - started;
    if (rescue_ &&
        ran >= static_cast<std::uint64_t>(std::chrono::nanoseconds(kRescueAfter).count())) {
        rescue_(index, !seen.rescued);
        seen.rescued = true;
    }
    if (threshold_ns_ > 0 && on_long_poll_ && ran >= seen.report_at_ns) {
        while (seen.report_at_ns <= ran) seen.report_at_ns *= 10;
        report(index, started, now);
    }
}

void StallMonitor::report(std::size_t index, std::uint64_t started, std::uint64_t now) {
    PollWatch& watch = *watches_[index];
    // The hazard protocol of poll_watch.hpp: while tag_in_use is set, the scope that set the tag
    // cannot end, so the object behind it stays alive for the report.
    watch.tag_in_use.store(true, std::memory_order_seq_cst);
    const void* tag = watch.tag.load(std::memory_order_seq_cst);
    // Still the same poll? If it ended meanwhile, its own end report covers it.
    if (watch.started_ns.load(std::memory_order_relaxed) == started) {
        try {
            on_long_poll_(LongPoll{index, std::chrono::nanoseconds(now - started), tag, false});
        } catch (...) {
            // A failed report is lost; the monitor goes on.
        }
    }
    watch.tag_in_use.store(false, std::memory_order_release);
}

}  // namespace weft::detail
