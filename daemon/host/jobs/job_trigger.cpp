#include "host/jobs/job_trigger.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "host/jobs/cron_next.hpp"

namespace weft::host {
namespace {

namespace chr = std::chrono;

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

JobTrigger::JobTrigger(const JobSchedule& schedule, const SchedulerNow& start)
    : schedule_(schedule) {
    std::visit(Overloaded{
                   [&](const IntervalSchedule& s) {
                       next_steady_ = start.steady + chr::milliseconds(s.interval_ms);
                   },
                   [&](const OnceAfterSchedule& s) {
                       next_steady_ = start.steady + chr::milliseconds(s.delay_ms);
                   },
                   [&](const CronJobSchedule& s) {
                       const auto next = next_cron_fire(s.schedule, start.wall);
                       active_ = next.has_value();
                       if (next) next_wall_ = *next;
                   },
               },
               schedule_);
}

bool JobTrigger::due(const SchedulerNow& now) const noexcept {
    if (!active_) return false;
    if (std::holds_alternative<CronJobSchedule>(schedule_)) return now.wall >= next_wall_;
    return now.steady >= next_steady_;
}

chr::steady_clock::time_point JobTrigger::wake_at(const SchedulerNow& now) const {
    if (!std::holds_alternative<CronJobSchedule>(schedule_)) return next_steady_;
    const auto left = std::clamp<chr::steady_clock::duration>(
        chr::duration_cast<chr::steady_clock::duration>(next_wall_ - now.wall),
        chr::steady_clock::duration::zero(), kCronRecheck);
    return now.steady + left;
}

chr::system_clock::time_point JobTrigger::next_run(const SchedulerNow& now) const {
    if (std::holds_alternative<CronJobSchedule>(schedule_)) return next_wall_;
    return now.wall + chr::duration_cast<chr::system_clock::duration>(next_steady_ - now.steady);
}

void JobTrigger::advance(const SchedulerNow& now) {
    std::visit(Overloaded{
                   [&](const IntervalSchedule& s) {
                       const chr::steady_clock::duration period = chr::milliseconds(s.interval_ms);
                       next_steady_ += period;
                       if (next_steady_ <= now.steady) {
                           // Whole periods missed: skip them, stay on the grid.
                           next_steady_ += ((now.steady - next_steady_) / period + 1) * period;
                       }
                   },
                   [&](const OnceAfterSchedule&) { active_ = false; },
                   [&](const CronJobSchedule& s) {
                       const auto next = next_cron_fire(s.schedule, std::max(now.wall, next_wall_));
                       active_ = next.has_value();
                       if (next) next_wall_ = *next;
                   },
               },
               schedule_);
}

std::string describe(const JobSchedule& schedule) {
    return std::visit(
        Overloaded{
            [](const IntervalSchedule& s) { return fmt::format("every {} ms", s.interval_ms); },
            [](const OnceAfterSchedule& s) { return fmt::format("once after {} ms", s.delay_ms); },
            [](const CronJobSchedule& s) { return fmt::format("cron \"{}\"", s.expression); },
        },
        schedule);
}

}  // namespace weft::host
