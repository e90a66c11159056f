// What a log line is about, beyond the logger's name (which names the plugin): the plugin task
// and the job run being polled on this thread. The host sets it around each poll of a plugin
// task (host/plugin/plugin_task.cpp) and of a job run (host/jobs/job_run.cpp); the journal sink
// sends it as the structured fields WEFT_TASK= and WEFT_JOB=. Loggers are synchronous, so a line
// is formatted on the thread that wrote it, inside the scope that describes it.
#pragma once

#include <cstdint>

namespace weft::host {

struct PollSubject;

struct LogContext {
    std::uint64_t task = 0;          // the plugin task's number (from 1, in spawn order); 0: none
    const char* job = nullptr;       // the job's name in the config; nullptr: not a job run
    PollSubject* subject = nullptr;  // the poll's subject (poll_subject.hpp); a job adds its name
};

// This thread's context: empty outside a poll.
[[nodiscard]] const LogContext& current_log_context() noexcept;

// Sets part of this thread's context for its lifetime and restores the previous one after.
class LogScope {
   public:
    explicit LogScope(std::uint64_t task) noexcept;
    LogScope(std::uint64_t task, PollSubject& subject) noexcept;
    explicit LogScope(const char* job) noexcept;
    ~LogScope();
    LogScope(const LogScope&) = delete;
    LogScope& operator=(const LogScope&) = delete;

   private:
    LogContext saved_;
};

// A new task number (any thread).
[[nodiscard]] std::uint64_t next_task_number() noexcept;

}  // namespace weft::host
