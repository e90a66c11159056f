// libFuzzer target: the cron expression parser, and the next-fire search on what it accepts.
// A parsed schedule must find its next match within the search bound (or report none) from any
// starting point; the fuzzer input also picks the start.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/config/cron.hpp"
#include "host/jobs/cron_next.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    // The first four bytes choose a start time; the rest is the expression.
    const unsigned seed = data[0] | (data[1] << 8u) | (data[2] << 16u) | (data[3] << 24u);
    const std::string_view expression(reinterpret_cast<const char*>(data + 4), size - 4);
    const weft::host::CronParseResult parsed = weft::host::parse_cron(expression);
    if (parsed.schedule.has_value() == !parsed.error.empty()) std::abort();
    if (!parsed.schedule) return 0;
    weft::host::CivilTime t;
    t.year = 1970 + static_cast<int>(seed % 200);
    t.month = 1 + static_cast<int>((seed >> 8) % 12);
    t.day = 1 + static_cast<int>((seed >> 12) % 28);
    t.hour = static_cast<int>((seed >> 17) % 24);
    t.minute = static_cast<int>((seed >> 22) % 60);
    t.second = static_cast<int>(seed % 60);
    for (int i = 0; i < 3; ++i) {
        const auto next = weft::host::next_cron_match(*parsed.schedule, t);
        if (!next) break;
        const auto as_tuple = [](const weft::host::CivilTime& c) {
            return (((static_cast<long long>(c.year) * 13 + c.month) * 32 + c.day) * 24 + c.hour) *
                       3600LL +
                   c.minute * 60LL + c.second;
        };
        if (as_tuple(*next) <= as_tuple(t)) std::abort();  // strictly after, always
        t = *next;
    }
    return 0;
}
