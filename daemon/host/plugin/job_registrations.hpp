// JobRegistrations: the task functions one plugin registered for jobs (plugin.h 6.10), by name.
//
// The job scheduler binds configured jobs to these once every plugin has started, then close()s
// every plugin's table: a later registration could serve no job, so it is refused rather than
// silently ignored. The table keeps each registration's user_data until release_all(), which
// the plugin instance calls after the plugin's last task was dropped and before its destroy hook,
// so that no start function can run on a released user_data.
//
// Thread-safety: every member may be called from any thread (one mutex). Plugin code (the drop
// functions) is never called under the lock.
#pragma once

#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/abi/job_function.hpp"
#include "weft/plugin.h"

namespace weft::host {

class JobRegistrations {
   public:
    JobRegistrations() = default;
    JobRegistrations(const JobRegistrations&) = delete;
    JobRegistrations& operator=(const JobRegistrations&) = delete;

    enum class AddResult { added, exists, closed };
    // Adds `fn` unless its name is taken or the table is closed. Throws std::bad_alloc.
    [[nodiscard]] AddResult add(JobFunction fn);
    [[nodiscard]] std::optional<JobFunction> find(std::string_view name) const;
    // The registered names, in registration order (for error messages).
    [[nodiscard]] std::vector<std::string> names() const;
    // No more registrations: add() returns closed.
    void close() noexcept;
    // close(), then calls every drop(user_data) once and forgets the registrations. `on_throw`
    // receives the message of a drop function that threw (a C++ plugin breaking the ABI).
    template <class OnThrow>
    void release_all(OnThrow&& on_throw) noexcept {
        std::vector<JobFunction> released;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            released.swap(functions_);
        }
        for (const JobFunction& fn : released) {
            if (!fn.drop) continue;
            try {
                fn.drop(fn.user_data);
            } catch (const std::exception& e) {
                on_throw(fn.name, e.what());
            } catch (...) {
                on_throw(fn.name, "an exception that is not a std::exception");
            }
        }
    }

   private:
    mutable std::mutex mutex_;
    bool closed_ = false;
    std::vector<JobFunction> functions_;  // few per plugin: a vector beats a map
};

}  // namespace weft::host
