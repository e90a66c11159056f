#include "host/plugin/long_poll_log.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace weft::host {
namespace {

std::string who(const PollSubject* subject) {
    if (!subject) return "a task of weftd";
    return "plugin '" + (subject->plugin ? *subject->plugin : std::string("?")) + "' " +
           describe_task(*subject);
}

long long ms(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

void log_long_poll(const LongPoll& report) {
    const auto* subject = static_cast<const PollSubject*>(report.tag);
    if (report.finished) {
        spdlog::warn(
            "{} returned after {} ms in one poll on worker {} (move blocking calls to "
            "spawn_blocking)",
            who(subject), ms(report.duration), report.worker);
        return;
    }
    spdlog::warn(
        "{} has been running for {} ms in one poll on worker {}: it holds the worker "
        "(move blocking calls to spawn_blocking)",
        who(subject), ms(report.duration), report.worker);
}

void log_long_poll_end(const PollSubject& subject, std::size_t worker,
                       std::chrono::nanoseconds duration, std::chrono::milliseconds threshold) {
    spdlog::warn(
        "{} returned after {} ms in one poll on worker {} (threshold {} ms; move "
        "blocking calls to spawn_blocking)",
        who(&subject), ms(duration), worker, threshold.count());
}

}  // namespace weft::host
