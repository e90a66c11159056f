// PollSubject: what a plugin task's poll is, for the runtime's long-poll reports (the
// PollTagScope tag, runtime/metrics/long_poll.hpp) and for the lines that name a task.
//
// TaskSlot::poll (host/plugin/plugin_task.cpp) builds one on its stack around each poll and makes
// it the thread's (LogScope); a job run's poll, nested inside, adds its job's name (LogScope's
// job constructor). The monitor thread reads a subject only while the runtime keeps it alive
// (the tag protocol), hence the atomic job name.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace weft::host {

struct PollSubject {
    const std::string* plugin = nullptr;    // the plugin's name in the config
    std::uint64_t task = 0;                 // the task's number (LogContext::task)
    const void* code = nullptr;             // the plugin's poll function: the spawn site
    const std::string* name = nullptr;      // the name it was spawned with; null: unnamed
    std::atomic<const char*> job{nullptr};  // the job's name when the task is a job run
};

// "task #3 (job 'rollup')", "task #3 'fetch'", "task #3 (spawned at ticker.so+0x1a2b)",
// "task #3": the task as a log line or /status names it: by its job, else by the name it was
// spawned with (weft_task_spawn_named), else by its spawn site, the poll function's symbol when
// the library exports it, else its file and offset (addr2line -e FILE OFFSET). dladdr: not for
// the hot path. `name` may be null or empty (unnamed).
[[nodiscard]] std::string describe_task(std::uint64_t task, const void* code, const char* job,
                                        const std::string* name = nullptr);
[[nodiscard]] std::string describe_task(const PollSubject& subject);
// The symbol (demangled) of the code at `code`, else "file.so+0xOFFSET", or "" if unknown.
[[nodiscard]] std::string symbol_name(const void* code);

}  // namespace weft::host
