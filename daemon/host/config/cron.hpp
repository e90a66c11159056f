// Cron expressions for jobs: six fields, seconds first, as in "1/10 * * * * *".
//
//   field         range   notes
//   seconds       0-59
//   minutes       0-59
//   hours         0-23
//   day of month  1-31
//   month         1-12
//   day of week   0-7     0 and 7 are both Sunday
//
// Each field is a comma-separated list of items; an item is `*`, a number `a`, or a range `a-b`,
// optionally followed by a step `/n` (`*/n` every n-th value, `a/n` from a to the field's end).
// Names (JAN, MON) and Quartz extensions (?, L, W, #) are not accepted: an operator gets an error
// rather than a schedule that silently means something else.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace weft::host {

struct CronSchedule {
    std::bitset<60> seconds;
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // bit 0 unused
    std::bitset<13> months;         // bit 0 unused
    std::bitset<7> days_of_week;    // 0 = Sunday; a 7 in the expression sets bit 0
    // Classic cron rule: when both day fields are restricted (not `*`), a day matches if EITHER
    // matches; the scheduler needs to know which fields were written as `*`.
    bool day_of_month_any = true;
    bool day_of_week_any = true;
};

struct CronParseResult {
    std::optional<CronSchedule> schedule;
    std::string error;  // set when schedule is empty, e.g. `minutes field "*/0": step must be ...`
};

[[nodiscard]] CronParseResult parse_cron(std::string_view expression);

}  // namespace weft::host
