// Wheel: the hierarchical timing wheel behind every timer (Tokio's `runtime/time/wheel`).
//
// Time is counted in ticks of 1 ms since the time driver started. The wheel has 6 levels of 64
// slots; a slot of level L spans 64^L ticks, so level 0 holds the next 64 ms tick by tick and
// level 5 spans 64^6 ms (about 2.2 years). A timer sits in the level of the highest 6-bit digit
// in which its deadline differs from `elapsed` (the last tick processed), in the slot given by
// that digit. When the wheel reaches a slot of level L > 0, the slot's timers cascade down to
// lower levels (or fire); level 0 slots fire. Deadlines further away than the wheel's range go
// to the top level, whose slots act as a ring: a slot is processed at the ring's next turn, or,
// when all its timers are further away than that, at the last turn before its earliest timer
// (the wheel keeps each top slot's earliest deadline), so that reaching a deadline decades or
// more ahead (sleep(max) on a paused clock) takes one step, not one per 2.2-year turn.
//
// Invariants:
//   * a timer's level never changes while it waits: `elapsed` only moves forward past a slot's
//     start after that slot was processed, so level_for(elapsed, when) stays the level it was
//     filed in until it cascades;
//   * bit s of a level's `occupied` mask is set exactly when slot s holds a timer, so removing
//     the last timer of a slot clears its bit, and a cancelled timer costs nothing later;
//   * every timer of a level L is due before every timer of levels above L.
//
// Insert and remove are O(1): entries are intrusive (they live inside the Sleep that owns them,
// no allocation per timer) and slots are doubly linked FIFO lists. Timers that are due move to
// the `pending` list, from which poll() hands them out one at a time in deadline order (timers of
// the same tick in insertion order).
//
// Thread-safety: none. TimeHandle (time_handle.hpp) serialises every access with its mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "runtime/task/waker.hpp"
#include "runtime/util/intrusive_list.hpp"

namespace weft::time::detail {

// One timer, intrusive. The links, `when`, `level`, `slot` and `waker` belong to whoever holds the
// wheel's lock while the entry is registered; `state` is the hand-off between the owner (the
// Sleep) and the driver (see time_handle.hpp).
struct TimerEntry {
    TimerEntry* prev = nullptr;
    TimerEntry* next = nullptr;
    std::uint64_t when = 0;  // deadline tick
    Waker waker;
    std::uint8_t level = 0;  // 0..5: a wheel level; kPendingLevel: the pending list
    std::uint8_t slot = 0;
    std::atomic<std::uint8_t> state{0};  // TimeHandle's kIdle / kRegistered / kFired
};

class Wheel {
   public:
    static constexpr unsigned kLevels = 6;
    static constexpr unsigned kSlotBits = 6;
    static constexpr unsigned kSlots = 1u << kSlotBits;  // 64
    // The furthest deadline the levels can tell apart; later ones wrap in the top level.
    static constexpr std::uint64_t kMaxDuration = (std::uint64_t{1} << (kSlotBits * kLevels)) - 1;
    static constexpr std::uint8_t kPendingLevel = kLevels;

    Wheel() = default;
    Wheel(const Wheel&) = delete;
    Wheel& operator=(const Wheel&) = delete;

    // The last tick processed: timers at or before it have been handed out.
    [[nodiscard]] std::uint64_t elapsed() const noexcept { return elapsed_; }
    [[nodiscard]] bool is_empty() const noexcept;

    // Files `entry` for tick `when`. False (nothing filed) when `when <= elapsed()`: it is due.
    [[nodiscard]] bool insert(TimerEntry* entry, std::uint64_t when) noexcept;
    // The tick at which the slot holding a filed entry is processed (<= its deadline: a cascade
    // point at a level above 0).
    [[nodiscard]] std::uint64_t slot_deadline(const TimerEntry& entry) const noexcept;
    // Unlinks a filed entry (from its slot or the pending list) in O(1).
    void remove(TimerEntry* entry) noexcept;

    // The tick at which poll() will next hand out or cascade something: `elapsed()` if timers are
    // pending, else the start of the earliest occupied slot (a cascade may find nothing due yet).
    [[nodiscard]] std::optional<std::uint64_t> next_expiration() const noexcept;

    // Advances to `now` and unlinks the next timer due at or before it, or returns null (then
    // elapsed() == now, or the previous elapsed() if `now` is behind it).
    [[nodiscard]] TimerEntry* poll(std::uint64_t now) noexcept;

    // The level a deadline `when` is filed in when the wheel is at `elapsed`.
    [[nodiscard]] static unsigned level_for(std::uint64_t elapsed, std::uint64_t when) noexcept;

   private:
    using List =
        weft::detail::IntrusiveList<TimerEntry, TimerEntry, &TimerEntry::prev, &TimerEntry::next>;
    struct Level {
        std::uint64_t occupied = 0;  // bit s: slot s is not empty
        std::array<List, kSlots> slots{};
    };
    struct Expiration {
        unsigned level;
        unsigned slot;
        std::uint64_t deadline;  // the slot's start tick
    };

    [[nodiscard]] std::optional<Expiration> next_expiration_of(unsigned level) const noexcept;
    [[nodiscard]] std::optional<Expiration> next_expiration_of_top() const noexcept;
    [[nodiscard]] std::optional<Expiration> next_slot() const noexcept;
    void process(const Expiration& e) noexcept;
    void file(TimerEntry* entry, unsigned level) noexcept;

    static constexpr std::uint64_t kNoTimer = ~std::uint64_t{0};

    std::array<Level, kLevels> levels_{};
    // Per top-level slot: the earliest deadline filed in it, or lower (a removal leaves it as it
    // was: the slot is then processed early, which only files its timers again); kNoTimer when
    // the slot is empty.
    std::array<std::uint64_t, kSlots> top_earliest_ = [] {
        std::array<std::uint64_t, kSlots> a{};
        a.fill(kNoTimer);
        return a;
    }();
    List pending_;
    std::uint64_t elapsed_ = 0;
};

}  // namespace weft::time::detail
