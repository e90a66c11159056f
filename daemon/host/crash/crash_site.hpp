// What plugin code the current thread runs, for the fatal-signal handler (crash_handler.hpp).
//
// A plugin is code inside weftd's process: when it crashes, the handler can only name it if the
// thread said beforehand what it was running. The host wraps every call into a plugin (a task's
// poll and drop, a blocking job, a hook) in a CrashScope, which points a thread-local at the
// plugin's CrashIdentity and names the activity ("task", "hook start", ...). The handler reads
// that thread-local, so everything it reads is preformatted, fixed-size and never freed while the
// plugin's code may run (the identity lives in the PluginInstance, which is leaked with its
// library when the plugin is abandoned).
//
// The first CrashScope on a thread also gives that thread an alternate signal stack
// (sigaltstack), so that a stack overflow in plugin code still runs the handler.
//
// Thread-safety: a CrashScope affects its own thread only. Cost: two thread-local stores.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace weft::host {

struct CrashIdentity {
    std::array<char, 96> name{};         // the plugin's name in the config, NUL-terminated
    std::array<char, 96> library{};      // the library's file name ("crasher.so")
    std::uintptr_t library_base = 0;     // where it is mapped (0 if unknown), for code offsets
    std::array<char, 64> config_hash{};  // its crash-record key (crash_record.hpp), hex

    void set(std::string_view plugin_name, std::string_view library_file, std::uintptr_t base,
             std::string_view hash) noexcept;
};

struct CrashSite {
    const CrashIdentity* plugin = nullptr;
    const char* activity = nullptr;  // a string literal: "task", "hook init", "blocking job", ...
    const void* code = nullptr;      // the plugin function called, if known (poll, job, hook)
    const char* detail = nullptr;    // a job's name, or null; lives as long as the scope
};

class CrashScope {
   public:
    CrashScope(const CrashIdentity& plugin, const char* activity, const void* code = nullptr,
               const char* detail = nullptr) noexcept;
    ~CrashScope();
    CrashScope(const CrashScope&) = delete;
    CrashScope& operator=(const CrashScope&) = delete;

   private:
    CrashSite previous_;
};

// The current thread's site; its `plugin` is null outside plugin code. Async-signal-safe.
[[nodiscard]] CrashSite current_crash_site() noexcept;

// Gives the current thread an alternate signal stack unless it has one. Not async-signal-safe.
void ensure_alternate_signal_stack() noexcept;

}  // namespace weft::host
