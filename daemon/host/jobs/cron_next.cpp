#include "host/jobs/cron_next.hpp"

#include <cstddef>
#include <ctime>

namespace weft::host {
namespace {

namespace chr = std::chrono;

// The first set bit at or after `from`, or -1.
template <std::size_t N>
int next_set(const std::bitset<N>& bits, int from) noexcept {
    for (int i = from < 0 ? 0 : from; i < static_cast<int>(N); ++i)
        if (bits[static_cast<std::size_t>(i)]) return i;
    return -1;
}

chr::year_month_day ymd(const CivilTime& c) noexcept {
    return chr::year_month_day{chr::year{c.year}, chr::month{static_cast<unsigned>(c.month)},
                               chr::day{static_cast<unsigned>(c.day)}};
}

int days_in_month(int year, int month) noexcept {
    const chr::year_month_day_last last{
        chr::year{year}, chr::month_day_last{chr::month{static_cast<unsigned>(month)}}};
    return static_cast<int>(static_cast<unsigned>(last.day()));
}

bool day_matches(const CronSchedule& s, const CivilTime& c) noexcept {
    const bool dom = s.days_of_month[static_cast<std::size_t>(c.day)];
    const bool dow = s.days_of_week[chr::weekday{chr::sys_days{ymd(c)}}.c_encoding()];
    if (!s.day_of_month_any && !s.day_of_week_any) return dom || dow;
    return dom && dow;  // a `*` field has every bit set: this is the other field's test
}

// Each moves to the start of the next unit, carrying into the larger ones.
void next_month(CivilTime& c) noexcept {
    c.day = 1;
    c.hour = c.minute = c.second = 0;
    if (++c.month > 12) {
        c.month = 1;
        ++c.year;
    }
}
void next_day(CivilTime& c) noexcept {
    c.hour = c.minute = c.second = 0;
    if (++c.day > days_in_month(c.year, c.month)) next_month(c);
}
void next_hour(CivilTime& c) noexcept {
    c.minute = c.second = 0;
    if (++c.hour > 23) next_day(c);
}
void next_minute(CivilTime& c) noexcept {
    c.second = 0;
    if (++c.minute > 59) next_hour(c);
}

std::time_t to_time_t(const CivilTime& c, int isdst) noexcept {
    std::tm tm{};
    tm.tm_year = c.year - 1900;
    tm.tm_mon = c.month - 1;
    tm.tm_mday = c.day;
    tm.tm_hour = c.hour;
    tm.tm_min = c.minute;
    tm.tm_sec = c.second;
    tm.tm_isdst = isdst;
    return std::mktime(&tm);
}

}  // namespace

std::optional<CivilTime> next_cron_match(const CronSchedule& s, CivilTime c) {
    const int last_year = c.year + 8;
    if (++c.second > 59) next_minute(c);
    while (c.year <= last_year) {
        const int month = next_set(s.months, c.month);
        if (month < 0) {
            c = CivilTime{c.year + 1, 1, 1, 0, 0, 0};
            continue;
        }
        if (month != c.month) c = CivilTime{c.year, month, 1, 0, 0, 0};
        if (!day_matches(s, c)) {
            next_day(c);
            continue;
        }
        const int hour = next_set(s.hours, c.hour);
        if (hour < 0) {
            next_day(c);
            continue;
        }
        if (hour != c.hour) {
            c.hour = hour;
            c.minute = c.second = 0;
        }
        const int minute = next_set(s.minutes, c.minute);
        if (minute < 0) {
            next_hour(c);
            continue;
        }
        if (minute != c.minute) {
            c.minute = minute;
            c.second = 0;
        }
        const int second = next_set(s.seconds, c.second);
        if (second < 0) {
            next_minute(c);
            continue;
        }
        c.second = second;
        return c;
    }
    return std::nullopt;
}

std::optional<chr::system_clock::time_point> next_cron_fire(const CronSchedule& schedule,
                                                            chr::system_clock::time_point t) {
    const std::time_t now = chr::system_clock::to_time_t(chr::floor<chr::seconds>(t));
    std::tm local{};
    if (::localtime_r(&now, &local) == nullptr) return std::nullopt;
    CivilTime c{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                local.tm_hour,        local.tm_min,     local.tm_sec};
    // Normally the first match is the answer. Only when the clock falls back may a match map to
    // an instant not after `now` (its earlier occurrence): then try its later occurrence, then
    // look further. The repeated span is at most a few hours of matches.
    for (int attempts = 0; attempts < 100'000; ++attempts) {
        const auto match = next_cron_match(schedule, c);
        if (!match) return std::nullopt;
        std::time_t at = to_time_t(*match, -1);
        if (at != -1 && at <= now) at = to_time_t(*match, 0);
        if (at != -1 && at > now) return chr::system_clock::from_time_t(at);
        c = *match;
    }
    return std::nullopt;
}

}  // namespace weft::host
