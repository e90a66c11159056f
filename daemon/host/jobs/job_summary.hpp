// What the host tells about each configured job (the admin endpoint's future `jobs` dump, the
// shutdown log): how it is scheduled and what its runs came to.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "host/config/config.hpp"

namespace weft::host {

struct JobCounts {
    std::uint64_t started = 0;    // runs whose start function was called
    std::uint64_t succeeded = 0;  // ... and whose task returned WEFT_OK
    std::uint64_t failed = 0;     // start function or task failed (error status, exception)
    std::uint64_t cancelled = 0;  // the task was dropped unfinished (shutdown) or never spawned
    std::uint64_t skipped = 0;    // occurrences dropped because a run was still going
};

// How the job's last run that ended went.
struct JobLastRun {
    std::uint64_t run = 0;                          // its number (1 for the first)
    std::string result;                             // "succeeded", "failed" or "cancelled"
    std::string message;                            // why it failed or was cancelled; else empty
    std::chrono::system_clock::time_point ended{};  // when it ended
    std::chrono::milliseconds took{0};
};

struct JobSummary {
    std::string name;
    std::string plugin;
    std::string task;
    std::string schedule;  // as describe(JobSchedule) says it
    int priority = 0;
    Overlap overlap = Overlap::skip;
    bool scheduled = false;  // bound to a running plugin's task function
    std::string problem;     // why it is not scheduled
    bool running = false;    // a run is in progress now
    JobCounts counts;
    // When the next occurrence is due: none while the job is not scheduled or has no more (a
    // `once` job that fired, a cron expression that matches no date).
    std::optional<std::chrono::system_clock::time_point> next_run;
    std::optional<JobLastRun> last_run;  // none before a run ended
};

}  // namespace weft::host
