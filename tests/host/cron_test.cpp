// The cron parser's field semantics: what each syntax form selects.
#include <catch2/catch.hpp>

#include "host/config/cron.hpp"

using weft::host::parse_cron;

TEST_CASE("cron: star steps ranges and lists select the right values") {
    const auto parsed = parse_cron("1/10 0-10/5 3,4,5 */15 2-3 0-7");
    REQUIRE(parsed.schedule.has_value());
    const auto& s = *parsed.schedule;
    CHECK(s.seconds.count() == 6);  // 1, 11, 21, 31, 41, 51
    CHECK(s.seconds[1]);
    CHECK(s.seconds[51]);
    CHECK_FALSE(s.seconds[0]);
    CHECK(s.minutes.count() == 3);  // 0, 5, 10
    CHECK(s.hours.count() == 3);
    CHECK(s.days_of_month.count() == 3);  // 1, 16, 31
    CHECK(s.days_of_month[31]);
    CHECK(s.months.count() == 2);
    CHECK(s.days_of_week.count() == 7);  // 0-7 covers every day; 7 folds onto 0
    CHECK_FALSE(s.day_of_month_any);
    CHECK_FALSE(s.day_of_week_any);
}

TEST_CASE("cron: seven on the day-of-week field means Sunday") {
    const auto parsed = parse_cron("0 0 0 * * 7");
    REQUIRE(parsed.schedule.has_value());
    CHECK(parsed.schedule->days_of_week[0]);
    CHECK(parsed.schedule->days_of_week.count() == 1);
    CHECK(parsed.schedule->day_of_month_any);
}

TEST_CASE("cron: extra whitespace between fields is accepted") {
    CHECK(parse_cron("  0\t0  0 * * *  ").schedule.has_value());
}

TEST_CASE("cron: malformed fields are rejected with the field name") {
    CHECK(parse_cron("").error ==
          "expected 6 fields (seconds minutes hours day-of-month month "
          "day-of-week), got 0");
    CHECK(parse_cron("0 0 0 0 * *").error == "day-of-month field \"0\": 0 is out of range 1-31");
    CHECK(parse_cron("0 0 0 * 13 *").error == "month field \"13\": 13 is out of range 1-12");
    CHECK(parse_cron("0 0 24 * * *").error == "hours field \"24\": 24 is out of range 0-23");
    CHECK(parse_cron("0 0 0 * * MON").error ==
          "day-of-week field \"MON\": \"MON\" is not a number, range or *");
    CHECK(parse_cron("0 0 1,,2 * * *").error == "hours field \"1,,2\": empty list item");
    CHECK(parse_cron("0 0 */x * * *").error ==
          "hours field \"*/x\": step must be a number between 1 and 23, got \"x\"");
    CHECK(parse_cron("? 0 0 * * *").error ==
          "seconds field \"?\": \"?\" is not a number, range or *");
    CHECK(parse_cron("-1 0 0 * * *").error ==
          "seconds field \"-1\": \"-1\" is not a number, range or *");
}
