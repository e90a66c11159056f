#include "host/log/log_context.hpp"

#include <atomic>

#include "host/log/poll_subject.hpp"

namespace weft::host {
namespace {

thread_local LogContext current;
// Only uniqueness matters: relaxed is enough.
std::atomic<std::uint64_t> task_numbers{0};

}  // namespace

const LogContext& current_log_context() noexcept { return current; }

LogScope::LogScope(std::uint64_t task) noexcept : saved_(current) { current.task = task; }

LogScope::LogScope(std::uint64_t task, PollSubject& subject) noexcept : saved_(current) {
    current.task = task;
    current.subject = &subject;
}

LogScope::LogScope(const char* job) noexcept : saved_(current) {
    current.job = job;
    if (current.subject) current.subject->job.store(job, std::memory_order_relaxed);
}

LogScope::~LogScope() { current = saved_; }

std::uint64_t next_task_number() noexcept {
    return task_numbers.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace weft::host
