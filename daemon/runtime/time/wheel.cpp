#include "runtime/time/wheel.hpp"

#include <bit>
#include <cassert>
#include <utility>

namespace weft::time::detail {
namespace {

constexpr std::uint64_t kSlotMask = Wheel::kSlots - 1;

// Ticks spanned by one slot, and by a whole level, of level `level`.
constexpr std::uint64_t slot_range(unsigned level) noexcept {
    return std::uint64_t{1} << (level * Wheel::kSlotBits);
}
constexpr std::uint64_t level_range(unsigned level) noexcept {
    return std::uint64_t{1} << ((level + 1) * Wheel::kSlotBits);
}
constexpr unsigned slot_for(std::uint64_t when, unsigned level) noexcept {
    return static_cast<unsigned>((when >> (level * Wheel::kSlotBits)) & kSlotMask);
}

}  // namespace

// --- Wheel --------------------------------------------------------------------------------------

unsigned Wheel::level_for(std::uint64_t elapsed, std::uint64_t when) noexcept {
    // The highest differing bit picks the level; the low slot bits are masked in so that a
    // deadline in the current level-0 slot range still lands in level 0.
    std::uint64_t masked = (elapsed ^ when) | kSlotMask;
    if (masked >= kMaxDuration) masked = kMaxDuration - 1;  // beyond the range: top level
    const unsigned significant = 63u - static_cast<unsigned>(std::countl_zero(masked));
    return significant / kSlotBits;
}

bool Wheel::is_empty() const noexcept {
    if (!pending_.empty()) return false;
    for (const Level& l : levels_)
        if (l.occupied != 0) return false;
    return true;
}

bool Wheel::insert(TimerEntry* entry, std::uint64_t when) noexcept {
    if (when <= elapsed_) return false;
    entry->when = when;
    file(entry, level_for(elapsed_, when));
    return true;
}

void Wheel::file(TimerEntry* entry, unsigned level) noexcept {
    const unsigned slot = slot_for(entry->when, level);
    entry->level = static_cast<std::uint8_t>(level);
    entry->slot = static_cast<std::uint8_t>(slot);
    Level& l = levels_[level];
    l.slots[slot].push_back(entry);
    l.occupied |= std::uint64_t{1} << slot;
    if (level == kLevels - 1 && entry->when < top_earliest_[slot])
        top_earliest_[slot] = entry->when;
}

void Wheel::remove(TimerEntry* entry) noexcept {
    if (entry->level == kPendingLevel) {
        pending_.remove(entry);
        return;
    }
    Level& l = levels_[entry->level];
    List& list = l.slots[entry->slot];
    list.remove(entry);
    if (list.empty()) {
        l.occupied &= ~(std::uint64_t{1} << entry->slot);
        if (entry->level == kLevels - 1) top_earliest_[entry->slot] = kNoTimer;
    }
}

std::optional<Wheel::Expiration> Wheel::next_expiration_of(unsigned level) const noexcept {
    const Level& l = levels_[level];
    if (l.occupied == 0) return std::nullopt;
    if (level == kLevels - 1) return next_expiration_of_top();
    // The first occupied slot at or after the one `elapsed` is in, going round the level.
    const unsigned now_slot = static_cast<unsigned>((elapsed_ / slot_range(level)) & kSlotMask);
    const std::uint64_t rotated = std::rotr(l.occupied, static_cast<int>(now_slot));
    const unsigned slot = (static_cast<unsigned>(std::countr_zero(rotated)) + now_slot) & kSlotMask;
    const std::uint64_t level_start = elapsed_ & ~(level_range(level) - 1);
    const std::uint64_t deadline = level_start + slot * slot_range(level);
    assert(deadline > elapsed_ && "below the top level, a filed slot starts after elapsed");
    return Expiration{level, slot, deadline};
}

std::optional<Wheel::Expiration> Wheel::next_expiration_of_top() const noexcept {
    // Each occupied slot is processed at the next turn of the ring, or, if its earliest timer is
    // further away than that, at the last turn before that timer (processing it at an earlier
    // turn would only file everything back into the same slot). Jumping straight there is what
    // lets a paused clock reach a timer years ahead in one step instead of one per turn.
    constexpr unsigned top = kLevels - 1;
    const std::uint64_t level_start = elapsed_ & ~(level_range(top) - 1);
    std::optional<Expiration> best;
    for (std::uint64_t bits = levels_[top].occupied; bits != 0; bits &= bits - 1) {
        const auto slot = static_cast<unsigned>(std::countr_zero(bits));
        std::uint64_t deadline = level_start + slot * slot_range(top);
        if (deadline <= elapsed_) deadline += level_range(top);  // the ring's next turn
        // Same slot digit as `deadline`, so still a turn of this slot's ring.
        const std::uint64_t last_turn = top_earliest_[slot] & ~(slot_range(top) - 1);
        if (top_earliest_[slot] != kNoTimer && last_turn > deadline) deadline = last_turn;
        if (!best || deadline < best->deadline) best = Expiration{top, slot, deadline};
    }
    return best;
}

std::uint64_t Wheel::slot_deadline(const TimerEntry& entry) const noexcept {
    if (entry.level == kPendingLevel) return elapsed_;
    const unsigned level = entry.level;
    const std::uint64_t level_start = elapsed_ & ~(level_range(level) - 1);
    std::uint64_t deadline = level_start + entry.slot * slot_range(level);
    if (deadline <= elapsed_) deadline += level_range(level);  // the top level's ring: its next
    return deadline;  // turn, which is at or before the turn next_expiration() may jump to
}

std::optional<Wheel::Expiration> Wheel::next_slot() const noexcept {
    for (unsigned level = 0; level < kLevels; ++level)
        if (auto e = next_expiration_of(level)) return e;  // lower levels are due first
    return std::nullopt;
}

std::optional<std::uint64_t> Wheel::next_expiration() const noexcept {
    if (!pending_.empty()) return elapsed_;
    if (auto e = next_slot()) return e->deadline;
    return std::nullopt;
}

void Wheel::process(const Expiration& e) noexcept {
    Level& l = levels_[e.level];
    List list = std::move(l.slots[e.slot]);
    l.occupied &= ~(std::uint64_t{1} << e.slot);
    if (e.level == kLevels - 1) top_earliest_[e.slot] = kNoTimer;  // re-filing sets it again
    while (TimerEntry* entry = list.pop_front()) {
        if (entry->when <= e.deadline) {
            entry->level = kPendingLevel;
            pending_.push_back(entry);
        } else {
            // Cascade: re-file relative to the slot's start, which becomes `elapsed`.
            file(entry, level_for(e.deadline, entry->when));
        }
    }
}

TimerEntry* Wheel::poll(std::uint64_t now) noexcept {
    while (pending_.empty()) {
        auto e = next_slot();
        if (!e || e->deadline > now) {
            if (now > elapsed_) elapsed_ = now;
            return nullptr;
        }
        process(*e);
        elapsed_ = e->deadline;
    }
    return pending_.pop_front();
}

}  // namespace weft::time::detail
