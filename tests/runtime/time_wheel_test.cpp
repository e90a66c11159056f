// Specification of the timing wheel (runtime/time/wheel.hpp), on its own: no runtime, no clock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "runtime/time/wheel.hpp"

using weft::time::detail::TimerEntry;
using weft::time::detail::Wheel;

namespace {

constexpr std::uint64_t level_span(unsigned level) { return std::uint64_t{1} << (6 * level); }

// Polls the wheel at `now` and returns every entry due, in the order handed out.
std::vector<TimerEntry*> drain(Wheel& w, std::uint64_t now) {
    std::vector<TimerEntry*> out;
    while (TimerEntry* e = w.poll(now)) out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("level_for picks the level of the highest differing 6-bit digit", "[time][wheel]") {
    CHECK(Wheel::level_for(0, 1) == 0);
    CHECK(Wheel::level_for(0, 63) == 0);
    CHECK(Wheel::level_for(0, 64) == 1);
    CHECK(Wheel::level_for(0, 4095) == 1);
    CHECK(Wheel::level_for(0, 4096) == 2);
    CHECK(Wheel::level_for(0, level_span(3)) == 3);
    CHECK(Wheel::level_for(0, level_span(4)) == 4);
    CHECK(Wheel::level_for(0, level_span(5)) == 5);
    CHECK(Wheel::level_for(0, level_span(6) * 5) == 5);  // beyond the range: the top level
    CHECK(Wheel::level_for(100, 127) == 0);              // same 64-tick block as elapsed
    CHECK(Wheel::level_for(100, 128) == 1);
}

TEST_CASE("a timer inserted at any level expires exactly at its deadline", "[time][wheel]") {
    for (unsigned level = 0; level < Wheel::kLevels; ++level) {
        for (std::uint64_t mult : {1u, 3u, 63u}) {
            Wheel w;
            TimerEntry e;
            const std::uint64_t when = level_span(level) * mult + (level > 0 ? 7 : 0);
            REQUIRE(w.insert(&e, when));
            CHECK(e.level == Wheel::level_for(0, when));
            REQUIRE(w.next_expiration().has_value());
            CHECK(*w.next_expiration() <= when);
            CHECK(w.poll(when - 1) == nullptr);  // cascades, but nothing is due yet
            CHECK(w.elapsed() == when - 1);
            CHECK(w.poll(when) == &e);
            CHECK(w.poll(when) == nullptr);
            CHECK(w.is_empty());
            CHECK_FALSE(w.next_expiration().has_value());
        }
    }
}

TEST_CASE("a timer cancelled at any level leaves nothing behind", "[time][wheel]") {
    for (unsigned level = 0; level < Wheel::kLevels; ++level) {
        Wheel w;
        TimerEntry a, b;
        const std::uint64_t when = level_span(level) * 2 + 1;
        REQUIRE(w.insert(&a, when));
        REQUIRE(w.insert(&b, when));
        w.remove(&a);
        CHECK_FALSE(w.is_empty());
        w.remove(&b);
        CHECK(w.is_empty());
        // The slot's occupied bit is cleared: no wake-up is scheduled for a cancelled timer.
        CHECK_FALSE(w.next_expiration().has_value());
        CHECK(w.poll(when * 2) == nullptr);
    }
}

TEST_CASE("cascading hands timers out in deadline order, same tick in insertion order",
          "[time][wheel]") {
    Wheel w;
    const std::vector<std::uint64_t> deadlines = {
        1,  63, 64,     65,   4095,        4096, 4097, 300000, (1u << 30) + 5,
        70, 70, 262144, 5000, (1ull << 35)};
    std::vector<TimerEntry> entries(deadlines.size());
    for (std::size_t i = 0; i < deadlines.size(); ++i) REQUIRE(w.insert(&entries[i], deadlines[i]));

    std::vector<std::pair<std::uint64_t, TimerEntry*>> fired;
    // Step through time coarsely; every entry must come out in the first poll at or after it.
    std::uint64_t now = 0;
    while (!w.is_empty()) {
        auto next = w.next_expiration();
        REQUIRE(next.has_value());
        now = std::max(now + 1, *next);
        for (TimerEntry* e : drain(w, now)) {
            CHECK(e->when <= now);
            fired.emplace_back(now, e);
        }
    }
    REQUIRE(fired.size() == deadlines.size());
    for (std::size_t i = 0; i < fired.size(); ++i) {
        CHECK(fired[i].first == fired[i].second->when);  // fired exactly at its tick
        if (i > 0) CHECK(fired[i - 1].second->when <= fired[i].second->when);
    }
    // The two timers at tick 70 came out in insertion order.
    auto first70 = std::find_if(fired.begin(), fired.end(), [](auto& p) { return p.first == 70; });
    REQUIRE(first70 != fired.end());
    CHECK(first70->second == &entries[9]);
    CHECK((first70 + 1)->second == &entries[10]);
}

TEST_CASE("deadlines beyond the wheel's range wrap in the top level and fire on time",
          "[time][wheel]") {
    Wheel w;
    TimerEntry far, farther;
    const std::uint64_t range = Wheel::kMaxDuration + 1;  // 2^36 ticks
    REQUIRE(w.insert(&far, range + 12345));
    REQUIRE(w.insert(&farther, 5 * range + 777));
    CHECK(far.level == Wheel::kLevels - 1);
    CHECK(farther.level == Wheel::kLevels - 1);
    CHECK(drain(w, range).empty());
    CHECK(drain(w, range + 12344).empty());
    CHECK(drain(w, range + 12345) == std::vector<TimerEntry*>{&far});
    CHECK(drain(w, 3 * range).empty());
    CHECK(drain(w, 5 * range + 776).empty());
    CHECK(drain(w, 5 * range + 777) == std::vector<TimerEntry*>{&farther});
    CHECK(w.is_empty());
}

TEST_CASE("a deadline at the clock's end is reached in a few steps, not one per ring turn",
          "[time][wheel]") {
    Wheel w;
    TimerEntry end, near;
    const std::uint64_t last = std::uint64_t{1} << 62;  // 2^26 turns of the top level's ring
    REQUIRE(w.insert(&end, last));
    REQUIRE(w.insert(&near, last - 5));
    // Stepping as auto-advance does: straight to each next expiration.
    std::vector<TimerEntry*> fired;
    int steps = 0;
    while (auto next = w.next_expiration()) {
        REQUIRE(++steps < 20);
        while (TimerEntry* e = w.poll(*next)) {
            CHECK(e->when == *next);
            fired.push_back(e);
        }
    }
    CHECK(fired == std::vector<TimerEntry*>{&near, &end});
}

TEST_CASE("inserting a deadline at or before elapsed is refused: it is due", "[time][wheel]") {
    Wheel w;
    TimerEntry e;
    CHECK(w.poll(100) == nullptr);
    CHECK(w.elapsed() == 100);
    CHECK_FALSE(w.insert(&e, 100));
    CHECK_FALSE(w.insert(&e, 3));
    CHECK(w.insert(&e, 101));
    CHECK(w.poll(101) == &e);
}

TEST_CASE("random inserts, removals and time steps: each timer fires once, at its tick",
          "[time][wheel]") {
    std::mt19937_64 rng(42);
    Wheel w;
    constexpr std::size_t kN = 5000;
    auto entries = std::make_unique<TimerEntry[]>(kN);
    std::vector<int> state(kN, 0);  // 0 filed, 1 removed, 2 fired
    for (std::size_t i = 0; i < kN; ++i) {
        std::uint64_t when = 1 + rng() % (i % 10 == 0 ? (1ull << 32) : 200000);
        REQUIRE(w.insert(&entries[i], when));
    }
    for (std::size_t i = 0; i < kN; i += 3) {
        w.remove(&entries[i]);
        state[i] = 1;
    }
    std::uint64_t now = 0;
    while (!w.is_empty()) {
        const std::uint64_t before = now;
        now += 1 + rng() % 5000;
        if (rng() % 7 == 0) now = std::max(now, *w.next_expiration());
        while (TimerEntry* e = w.poll(now)) {
            const std::size_t i = static_cast<std::size_t>(e - entries.get());
            REQUIRE(state[i] == 0);
            state[i] = 2;
            CHECK(e->when <= now);
            CHECK(e->when > before);  // not held back past an earlier poll
        }
    }
    for (std::size_t i = 0; i < kN; ++i) CHECK(state[i] == (i % 3 == 0 ? 1 : 2));
}
