// Next-fire computation for cron schedules: each field kind, steps, ranges and lists, carries
// across minutes, days, months and years, leap days, the day-of-month / day-of-week OR rule,
// schedules that never fire, and the mapping to instants in a fixed time zone (TZ=UTC).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "host/jobs/cron_next.hpp"

namespace {

using weft::host::CivilTime;
using weft::host::CronSchedule;

CronSchedule cron(const char* expression) {
    auto parsed = weft::host::parse_cron(expression);
    INFO(parsed.error);
    REQUIRE(parsed.schedule.has_value());
    return *parsed.schedule;
}

CivilTime at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    return CivilTime{y, mo, d, h, mi, s};
}

std::optional<CivilTime> next(const char* expression, CivilTime t) {
    return weft::host::next_cron_match(cron(expression), t);
}

// Sets TZ for the scope, restoring the previous value.
class ScopedTz {
   public:
    explicit ScopedTz(const char* tz) {
        if (const char* old = std::getenv("TZ")) previous_ = old;
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~ScopedTz() {
        if (previous_)
            ::setenv("TZ", previous_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }
    ScopedTz(const ScopedTz&) = delete;
    ScopedTz& operator=(const ScopedTz&) = delete;

   private:
    std::optional<std::string> previous_;
};

}  // namespace

namespace Catch {
template <>
struct StringMaker<CivilTime> {
    static std::string convert(const CivilTime& c) {
        char text[64];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day,
                      c.hour, c.minute, c.second);
        return text;
    }
};
}  // namespace Catch

TEST_CASE("cron next: every second is strictly after the given time") {
    CHECK(next("* * * * * *", at(2024, 1, 1, 12, 0, 0)) == at(2024, 1, 1, 12, 0, 1));
    CHECK(next("* * * * * *", at(2024, 1, 1, 23, 59, 59)) == at(2024, 1, 2, 0, 0, 0));
    CHECK(next("* * * * * *", at(2023, 12, 31, 23, 59, 59)) == at(2024, 1, 1, 0, 0, 0));
}

TEST_CASE("cron next: second steps and the minute carry") {
    CHECK(next("1/10 * * * * *", at(2024, 1, 1, 0, 0, 0)) == at(2024, 1, 1, 0, 0, 1));
    CHECK(next("1/10 * * * * *", at(2024, 1, 1, 0, 0, 1)) == at(2024, 1, 1, 0, 0, 11));
    CHECK(next("1/10 * * * * *", at(2024, 1, 1, 0, 0, 51)) == at(2024, 1, 1, 0, 1, 1));
    CHECK(next("*/30 * * * * *", at(2024, 1, 1, 0, 0, 29)) == at(2024, 1, 1, 0, 0, 30));
    CHECK(next("*/30 * * * * *", at(2024, 1, 1, 0, 0, 30)) == at(2024, 1, 1, 0, 1, 0));
}

TEST_CASE("cron next: minutes, hours, ranges with steps and lists") {
    CHECK(next("0 */5 * * * *", at(2024, 1, 1, 10, 57, 0)) == at(2024, 1, 1, 11, 0, 0));
    CHECK(next("0 */5 * * * *", at(2024, 1, 1, 10, 55, 0)) == at(2024, 1, 1, 11, 0, 0));
    CHECK(next("0 */5 * * * *", at(2024, 1, 1, 10, 54, 59)) == at(2024, 1, 1, 10, 55, 0));
    // hours 9, 13, 17 at :15:30
    CHECK(next("30 15 9-17/4 * * *", at(2024, 1, 1, 9, 15, 30)) == at(2024, 1, 1, 13, 15, 30));
    CHECK(next("30 15 9-17/4 * * *", at(2024, 1, 1, 17, 15, 30)) == at(2024, 1, 2, 9, 15, 30));
    CHECK(next("30 15 9-17/4 * * *", at(2024, 1, 1, 2, 0, 0)) == at(2024, 1, 1, 9, 15, 30));
    CHECK(next("0 0 3 * * *", at(2024, 1, 1, 3, 0, 0)) == at(2024, 1, 2, 3, 0, 0));
    CHECK(next("0 0 3 * * *", at(2024, 1, 1, 2, 59, 59)) == at(2024, 1, 1, 3, 0, 0));
    CHECK(next("0 0 * * * *", at(2023, 12, 31, 23, 30, 0)) == at(2024, 1, 1, 0, 0, 0));
    CHECK(next("5,10 0 0 * * *", at(2024, 1, 1, 0, 0, 5)) == at(2024, 1, 1, 0, 0, 10));
    CHECK(next("5,10 0 0 * * *", at(2024, 1, 1, 0, 0, 10)) == at(2024, 1, 2, 0, 0, 5));
}

TEST_CASE("cron next: month and year rollovers, short months") {
    CHECK(next("0 0 0 1 * *", at(2023, 1, 31, 12, 0, 0)) == at(2023, 2, 1, 0, 0, 0));
    CHECK(next("0 0 0 1 1 *", at(2023, 6, 1)) == at(2024, 1, 1));
    CHECK(next("0 0 0 1 1,7 *", at(2023, 6, 1)) == at(2023, 7, 1));
    CHECK(next("0 0 0 31 * *", at(2023, 4, 1)) == at(2023, 5, 31));  // April has 30 days
    CHECK(next("0 0 0 31 * *", at(2023, 5, 31)) == at(2023, 7, 31));
    CHECK(next("0 0 12 * 2-3 *", at(2023, 3, 31, 12, 0, 0)) == at(2024, 2, 1, 12, 0, 0));
}

TEST_CASE("cron next: February 29 waits for a leap year, and 2100 is not one") {
    CHECK(next("0 0 0 29 2 *", at(2023, 3, 1)) == at(2024, 2, 29));
    CHECK(next("0 0 0 29 2 *", at(2024, 2, 29)) == at(2028, 2, 29));
    CHECK(next("0 0 0 29 2 *", at(2096, 3, 1)) == at(2104, 2, 29));
    CHECK(next("0 0 0 28 2 *", at(2024, 2, 28, 1, 0, 0)) == at(2025, 2, 28));
}

TEST_CASE("cron next: a schedule that matches no date never fires") {
    CHECK_FALSE(next("0 0 0 30 2 *", at(2024, 1, 1)).has_value());
    CHECK_FALSE(next("0 0 0 31 4,6,9,11 *", at(2024, 1, 1)).has_value());
}

TEST_CASE("cron next: day of week, with 0 and 7 as Sunday") {
    // 2024-01-01 is a Monday.
    CHECK(next("0 0 12 * * 1", at(2024, 1, 1, 12, 0, 0)) == at(2024, 1, 8, 12, 0, 0));
    CHECK(next("0 0 12 * * 1", at(2024, 1, 1, 11, 0, 0)) == at(2024, 1, 1, 12, 0, 0));
    CHECK(next("0 0 0 * * 7", at(2024, 1, 1)) == at(2024, 1, 7));
    CHECK(next("0 0 0 * * 0", at(2024, 1, 1)) == at(2024, 1, 7));
    CHECK(next("0 0 0 * * 1-5", at(2024, 1, 5, 1, 0, 0)) == at(2024, 1, 8));  // Fri -> Mon
}

TEST_CASE("cron next: both day fields restricted match either (the OR rule)") {
    // The 13th, or any Friday. 2024-01-05 and 2024-01-12 are Fridays.
    CHECK(next("0 0 0 13 * 5", at(2024, 1, 1)) == at(2024, 1, 5));
    CHECK(next("0 0 0 13 * 5", at(2024, 1, 12, 1, 0, 0)) == at(2024, 1, 13));
    CHECK(next("0 0 0 13 * 5", at(2024, 1, 13)) == at(2024, 1, 19));
    // One day field `*`: only the other one counts.
    CHECK(next("0 0 0 13 * *", at(2024, 1, 1)) == at(2024, 1, 13));
    CHECK(next("0 0 0 * * 5", at(2024, 1, 6)) == at(2024, 1, 12));
    // 31 February never exists, but Mondays in February do.
    CHECK(next("0 0 0 31 2 1", at(2024, 1, 1)) == at(2024, 2, 5));
}

TEST_CASE("cron next: instants in a fixed time zone (TZ=UTC), whole seconds, strictly after") {
    using namespace std::chrono;
    ScopedTz utc("UTC");
    const auto day = sys_days{year{2024} / 1 / 1};
    CHECK(weft::host::next_cron_fire(cron("1/10 * * * * *"), day + 5s + 300ms) == day + 11s);
    CHECK(weft::host::next_cron_fire(cron("* * * * * *"), day + 500ms) == day + 1s);
    CHECK(weft::host::next_cron_fire(cron("* * * * * *"), day) == day + 1s);
    CHECK(weft::host::next_cron_fire(cron("0 0 0 29 2 *"), sys_days{year{2023} / 3 / 1}) ==
          sys_days{year{2024} / 2 / 29});
    CHECK(weft::host::next_cron_fire(cron("0 30 2 * * *"), day) == day + 2h + 30min);
    CHECK_FALSE(weft::host::next_cron_fire(cron("0 0 0 30 2 *"), day).has_value());
}
