// Syntax and range checking of six-field cron expressions; see cron.hpp for the grammar.
#include "host/config/cron.hpp"

#include <array>
#include <bitset>
#include <charconv>
#include <cstddef>
#include <vector>

#include <fmt/format.h>

namespace weft::host {
namespace {

struct Field {
    std::string_view name;
    int min;
    int max;
};

constexpr std::array<Field, 6> kFields = {{
    {"seconds", 0, 59},
    {"minutes", 0, 59},
    {"hours", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12},
    {"day-of-week", 0, 7},
}};

// Wide enough for every field; copied into the exact widths of CronSchedule afterwards.
using Bits = std::bitset<64>;

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t pos = 0;
    while (true) {
        pos = text.find_first_not_of(" \t", pos);
        if (pos == std::string_view::npos) break;
        std::size_t end = text.find_first_of(" \t", pos);
        if (end == std::string_view::npos) end = text.size();
        fields.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return fields;
}

std::optional<int> parse_number(std::string_view text) {
    int value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < 0) return std::nullopt;
    return value;
}

// Parses one list item ("*", "a", "a-b", each optionally "/n") into `bits`. Returns an error
// message, empty on success.
std::string parse_item(std::string_view item, const Field& field, Bits& bits) {
    if (item.empty()) return "empty list item";
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    int step = 1;
    if (slash != std::string_view::npos) {
        const std::string_view step_text = item.substr(slash + 1);
        const auto parsed = parse_number(step_text);
        const int max_step = field.max - field.min;
        if (!parsed || *parsed < 1 || *parsed > max_step) {
            return fmt::format("step must be a number between 1 and {}, got \"{}\"", max_step,
                               step_text);
        }
        step = *parsed;
    }

    int low = field.min;
    int high = field.max;
    if (base != "*") {
        const std::size_t dash = base.find('-');
        const auto first = parse_number(base.substr(0, dash));
        if (!first) return fmt::format("\"{}\" is not a number, range or *", base);
        low = *first;
        if (dash != std::string_view::npos) {
            const auto last = parse_number(base.substr(dash + 1));
            if (!last) return fmt::format("\"{}\" is not a number, range or *", base);
            high = *last;
        } else if (slash == std::string_view::npos) {
            high = low;  // a single value; "a/n" keeps high at the field's end
        }
        for (int value : {low, high}) {
            if (value < field.min || value > field.max) {
                return fmt::format("{} is out of range {}-{}", value, field.min, field.max);
            }
        }
        if (low > high) return fmt::format("range {}-{} is reversed", low, high);
    }
    for (int value = low; value <= high; value += step) bits.set(static_cast<std::size_t>(value));
    return {};
}

std::string parse_field(std::string_view text, const Field& field, Bits& bits) {
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string_view item = text.substr(start, comma - start);
        if (std::string error = parse_item(item, field, bits); !error.empty()) {
            return fmt::format("{} field \"{}\": {}", field.name, text, error);
        }
        if (comma == std::string_view::npos) return {};
        start = comma + 1;
    }
}

template <std::size_t N>
std::bitset<N> narrow(const Bits& bits) {
    std::bitset<N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = bits[i];
    return out;
}

}  // namespace

CronParseResult parse_cron(std::string_view expression) {
    const std::vector<std::string_view> fields = split_fields(expression);
    if (fields.size() != kFields.size()) {
        return {std::nullopt,
                fmt::format("expected 6 fields (seconds minutes hours day-of-month month "
                            "day-of-week), got {}",
                            fields.size())};
    }
    std::array<Bits, 6> bits{};
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (std::string error = parse_field(fields[i], kFields[i], bits[i]); !error.empty()) {
            return {std::nullopt, std::move(error)};
        }
    }
    CronSchedule schedule;
    schedule.seconds = narrow<60>(bits[0]);
    schedule.minutes = narrow<60>(bits[1]);
    schedule.hours = narrow<24>(bits[2]);
    schedule.days_of_month = narrow<32>(bits[3]);
    schedule.months = narrow<13>(bits[4]);
    schedule.days_of_week = narrow<7>(bits[5]);
    if (bits[5][7]) schedule.days_of_week.set(0);  // 7 is Sunday too
    schedule.day_of_month_any = fields[3] == "*";
    schedule.day_of_week_any = fields[5] == "*";
    return {schedule, {}};
}

}  // namespace weft::host
