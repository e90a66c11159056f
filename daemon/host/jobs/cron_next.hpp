// When a cron schedule fires next: the civil (calendar) search, and its mapping to instants in
// the daemon's local time zone.
//
// The search jumps field by field (month, then day, hour, minute, second), so finding the next
// fire costs at most a few thousand steps even for a schedule that fires once in years, never a
// scan of every second. It follows classic cron's day rule (cron.hpp): when both day-of-month and
// day-of-week are restricted, a day matches if either does; otherwise both must.
//
// Time zone. Schedules are evaluated in local time (the TZ environment variable, /etc/localtime),
// as cron does; set TZ=UTC for weftd to get schedules free of daylight-saving changes. Across a
// DST change: a wall-clock time skipped by the jump forward fires once, at the instant mktime()
// normalises it to (with glibc: one hour later); when the clock falls back, a time that occurs
// twice fires at its first occurrence, and a schedule that matches every second or minute of the
// repeated hour fires during both passes (each is a real, distinct instant).
#pragma once

#include <chrono>
#include <optional>

#include "host/config/cron.hpp"

namespace weft::host {

// A wall-clock date and time, with no time zone: month 1-12, day 1-31.
struct CivilTime {
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

// The first civil time strictly after `t` that `schedule` matches, or empty if there is none
// within eight years (a schedule such as "0 0 0 30 2 *" never matches; eight years span every
// gap between leap years, 2096 to 2104 included).
[[nodiscard]] std::optional<CivilTime> next_cron_match(const CronSchedule& schedule, CivilTime t);

// The first instant strictly after `t` at which `schedule` fires in local time (whole seconds),
// or empty as for next_cron_match. Thread-safe (localtime_r, mktime).
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> next_cron_fire(
    const CronSchedule& schedule, std::chrono::system_clock::time_point t);

}  // namespace weft::host
