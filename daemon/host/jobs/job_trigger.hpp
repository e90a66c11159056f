// JobTrigger: when one job is due, for each kind of schedule.
//
//   interval   first one interval after the scheduler started, then every interval after the
//              previous due time (no drift). Occurrences missed entirely (the machine slept,
//              the scheduler was starved) are dropped, not run in a burst, as Tokio's
//              MissedTickBehavior::skip.
//   cron       in local wall-clock time (cron_next.hpp). Due once the wall clock reaches the
//              fire time; the next fire is computed from the later of that time and now, so a
//              clock set forward runs the job once, not once per missed second.
//   once       once, the delay after the scheduler started; then finished.
//
// Interval and once use the monotonic clock. Cron fire times are wall-clock instants, so a
// wait for one is capped (kCronRecheck) to notice a wall clock that was set meanwhile.
//
// Thread-safety: none; the scheduler guards each trigger with its mutex.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "host/config/config.hpp"

namespace weft::host {

struct SchedulerNow {
    std::chrono::steady_clock::time_point steady;
    std::chrono::system_clock::time_point wall;
    [[nodiscard]] static SchedulerNow now() noexcept {
        return {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
    }
};

class JobTrigger {
   public:
    static constexpr std::chrono::seconds kCronRecheck{1};

    JobTrigger(const JobSchedule& schedule, const SchedulerNow& start);

    // False once a `once` job fired, or for a cron expression that matches no date.
    [[nodiscard]] bool active() const noexcept { return active_; }
    [[nodiscard]] bool due(const SchedulerNow& now) const noexcept;
    // When the scheduler should look again (meaningful while active()).
    [[nodiscard]] std::chrono::steady_clock::time_point wake_at(const SchedulerNow& now) const;
    // The occurrence that was due is consumed: moves to the next one.
    void advance(const SchedulerNow& now);
    // When the next occurrence is due, on the wall clock (for people: `/status`, `weftd top`;
    // meaningful while active()). An interval's is now plus what is left of its monotonic wait.
    [[nodiscard]] std::chrono::system_clock::time_point next_run(const SchedulerNow& now) const;

   private:
    JobSchedule schedule_;
    bool active_ = true;
    std::chrono::steady_clock::time_point next_steady_{};  // interval, once
    std::chrono::system_clock::time_point next_wall_{};    // cron
};

// "every 30000 ms", "cron \"*/30 * * * * *\"", "once after 100 ms", for log lines.
[[nodiscard]] std::string describe(const JobSchedule& schedule);

}  // namespace weft::host
