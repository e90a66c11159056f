// The task state word: lifecycle bits and a reference count packed into one atomic.
//
//  bit 0  RUNNING        a worker is polling the task (it owns the frame meanwhile)
//  bit 1  COMPLETE       the coroutine finished or was cancelled; the output may be read
//  bit 2  NOTIFIED       the task sits in a run queue (or will after its current poll)
//  bit 3  JOIN_INTEREST  a JoinHandle exists and may read the output
//  bit 4  JOIN_WAKER     the join waker slot holds a waker; while set, only the task touches it
//  bit 5  CANCELLED      abort or shutdown asked the task to stop at its next suspension
//  bit 6  NO_OUTPUT      the task was cancelled: its frame was destroyed before it finished
//  bit 7  FAILED         the coroutine ended with an exception, held in the header (header.hpp)
//  bit 8  OUTPUT_SLOT    the block has an output slot in front of the header (frame_alloc.hpp)
//  bit 9  NUMBERED       the task's id was asked for and sits in the id table (task_id.hpp)
//  bits 10..  reference count
//
// A coroutine that is only awaited (a child) is never bound to a scheduler: its count stays 0,
// which is how the frame allocator tells it from a task; FAILED and OUTPUT_SLOT apply to it too.
//
// Every reference is one of: the owned-task list's, one per scheduled notification (a queue entry
// or the poll in progress), the JoinHandle's, one per Waker. The task is freed when the count
// reaches zero. These transitions mirror Tokio's `runtime::task::state`, whose invariants they
// keep: a wake while RUNNING only sets NOTIFIED and the runner re-schedules once the poll ends,
// so a wake is never lost and never schedules a task twice.
//
// Orderings. The word is where the frame, the output and the join waker slot change hands
// between threads: a transition that gives something up (to idle, to complete, dropping a
// reference) releases the writes made while holding it, and one that takes something (to
// running, the last reference, seeing COMPLETE) acquires them. Most transitions do both in one
// CAS, so acq_rel is the weakest correct ordering for them, as in Tokio's `State`. Their first
// load and their failure ordering are acquire too, because several transitions return on a
// value they only read (a COMPLETE that lets the caller read the output, a NOTIFIED that makes
// waking a no-op). The operations that are weaker say why where they are defined.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>

namespace weft::task {

class State {
   public:
    using Word = std::uint64_t;
    static constexpr Word RUNNING = 1u << 0;
    static constexpr Word COMPLETE = 1u << 1;
    static constexpr Word NOTIFIED = 1u << 2;
    static constexpr Word JOIN_INTEREST = 1u << 3;
    static constexpr Word JOIN_WAKER = 1u << 4;
    static constexpr Word CANCELLED = 1u << 5;
    static constexpr Word NO_OUTPUT = 1u << 6;
    static constexpr Word FAILED = 1u << 7;
    static constexpr Word OUTPUT_SLOT = 1u << 8;
    static constexpr Word NUMBERED = 1u << 9;
    static constexpr unsigned REF_SHIFT = 10;
    static constexpr Word REF_ONE = Word{1} << REF_SHIFT;
    static constexpr Word FLAGS = REF_ONE - 1;
    // A fresh spawned task: referenced by the owned list, its first notification and its
    // JoinHandle; it is queued (NOTIFIED) and its output is wanted.
    static constexpr Word INITIAL = REF_ONE * 3 | JOIN_INTEREST | NOTIFIED;

    static constexpr Word refs(Word s) { return s >> REF_SHIFT; }
    // ref_inc() aborts past this many references (a leak of wakers), long before they overflow.
    static constexpr Word MAX_REFS = Word{1} << 50;

    State() noexcept = default;
    explicit State(Word initial) noexcept : word_(initial) {}
    // Binds a never-started coroutine as a task (its block layout bit is kept). Relaxed: the
    // task is not shared yet; the queue push or the owned list's lock that shares it publishes.
    void init() noexcept {
        word_.store(INITIAL | (word_.load(std::memory_order_relaxed) & OUTPUT_SLOT),
                    std::memory_order_relaxed);
    }
    [[nodiscard]] Word load(std::memory_order mo = std::memory_order_acquire) const noexcept {
        return word_.load(mo);
    }

    enum class ToRunning { success, cancelled, failed, dealloc };
    // Called by the scheduler with a notification reference in hand.
    [[nodiscard]] ToRunning transition_to_running() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            Word next = cur;
            ToRunning action;
            if ((cur & (RUNNING | COMPLETE)) == 0) {
                next = (cur | RUNNING) & ~NOTIFIED;
                action = (cur & CANCELLED) ? ToRunning::cancelled : ToRunning::success;
            } else {
                next = cur - REF_ONE;
                action = refs(next) == 0 ? ToRunning::dealloc : ToRunning::failed;
            }
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return action;
        }
    }

    enum class ToIdle { ok, ok_notified, ok_dealloc, cancelled };
    // After a poll that returned pending. On OkNotified the caller owns a new notification ref.
    [[nodiscard]] ToIdle transition_to_idle() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            if (cur & CANCELLED) return ToIdle::cancelled;
            Word next = cur & ~RUNNING;
            ToIdle action;
            if ((cur & NOTIFIED) == 0) {
                next -= REF_ONE;  // the notification consumed by this poll
                action = refs(next) == 0 ? ToIdle::ok_dealloc : ToIdle::ok;
            } else {
                // The poll's ref becomes the new notification's.
                action = ToIdle::ok_notified;
            }
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return action;
        }
    }

    // RUNNING -> COMPLETE. Returns the state before.
    Word transition_to_complete() noexcept {
        return word_.fetch_xor(RUNNING | COMPLETE, std::memory_order_acq_rel);
    }
    // NO_OUTPUT and FAILED: relaxed, because only the runner sets them, before it publishes
    // COMPLETE with transition_to_complete's release, and nobody reads them before seeing COMPLETE
    // (a read-modify-write that sets COMPLETE carries every bit set before it).
    void set_no_output() noexcept { word_.fetch_or(NO_OUTPUT, std::memory_order_relaxed); }
    void set_failed() noexcept { word_.fetch_or(FAILED, std::memory_order_relaxed); }
    // Only under the id table's lock (task_id.cpp), which orders it for the readers that take
    // the lock; whoever frees the block reads it after the last reference's acq_rel decrement.
    void set_numbered() noexcept { word_.fetch_or(NUMBERED, std::memory_order_relaxed); }

    // Drops `count` references after completion; true when the task must be freed.
    [[nodiscard]] bool transition_to_terminal(Word count) noexcept {
        Word prev = word_.fetch_sub(count * REF_ONE, std::memory_order_acq_rel);
        return refs(prev) == count;
    }

    enum class Notify { do_nothing, submit, dealloc };
    // A Waker is consumed by waking. Submit: the caller schedules the task with that ref.
    [[nodiscard]] Notify transition_to_notified_by_val() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            Word next = cur;
            Notify action;
            if (cur & RUNNING) {
                next = (cur | NOTIFIED) - REF_ONE;
                action = Notify::do_nothing;
            } else if (cur & (COMPLETE | NOTIFIED)) {
                next = cur - REF_ONE;
                action = refs(next) == 0 ? Notify::dealloc : Notify::do_nothing;
            } else {
                next = cur | NOTIFIED;
                action = Notify::submit;
            }
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return action;
        }
    }
    // Waking by reference. Submit: a new ref was taken for the notification.
    [[nodiscard]] Notify transition_to_notified_by_ref() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            Word next;
            Notify action;
            if (cur & (COMPLETE | NOTIFIED)) {
                return Notify::do_nothing;
            } else if (cur & RUNNING) {
                next = cur | NOTIFIED;
                action = Notify::do_nothing;
            } else {
                next = (cur | NOTIFIED) + REF_ONE;
                action = Notify::submit;
            }
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return action;
        }
    }
    // abort(): true when the caller must schedule the task (a new ref was taken).
    [[nodiscard]] bool transition_to_notified_and_cancel() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            if (cur & (CANCELLED | COMPLETE)) return false;
            Word next;
            bool submit = false;
            if (cur & RUNNING) {
                next = cur | NOTIFIED | CANCELLED;
            } else if (cur & NOTIFIED) {
                next = cur | CANCELLED;
            } else {
                next = (cur | NOTIFIED | CANCELLED) + REF_ONE;
                submit = true;
            }
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return submit;
        }
    }
    // Runtime shutdown: marks CANCELLED; true when the task was idle and the caller now runs it
    // (and so must cancel it itself).
    [[nodiscard]] bool transition_to_shutdown() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            bool idle = (cur & (RUNNING | COMPLETE)) == 0;
            Word next = cur | CANCELLED | (idle ? RUNNING : 0);
            if (word_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return idle;
        }
    }

    // JoinHandle dropped. False when the task already completed (the caller drops the output).
    [[nodiscard]] bool unset_join_interested() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            if (cur & COMPLETE) return false;
            if (word_.compare_exchange_weak(cur, cur & ~JOIN_INTEREST, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return true;
        }
    }
    // Publishes the join waker. False when the task completed first (the slot is the
    // JoinHandle's again and the output is readable).
    [[nodiscard]] bool set_join_waker() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            if (cur & COMPLETE) return false;
            if (word_.compare_exchange_weak(cur, cur | JOIN_WAKER, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return true;
        }
    }
    // Takes the join waker slot back. False when the task completed first.
    [[nodiscard]] bool unset_join_waker() noexcept {
        Word cur = word_.load(std::memory_order_acquire);
        for (;;) {
            if (cur & COMPLETE) return false;
            if (word_.compare_exchange_weak(cur, cur & ~JOIN_WAKER, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return true;
        }
    }

    // Relaxed, as Arc::clone: a reference is only made from one the caller already holds, so
    // the count cannot reach zero meanwhile and nothing needs to be published.
    void ref_inc() noexcept {
        Word prev = word_.fetch_add(REF_ONE, std::memory_order_relaxed);
        if (refs(prev) > MAX_REFS) std::abort();  // overflow: a leak of wakers
    }
    // True when this was the last reference. Release so that this holder's writes happen before
    // the free; acquire so that the last holder, which frees, sees every other holder's.
    [[nodiscard]] bool ref_dec() noexcept {
        Word prev = word_.fetch_sub(REF_ONE, std::memory_order_acq_rel);
        return refs(prev) == 1;
    }

   private:
    std::atomic<Word> word_{0};
};

// The layout of the word: ten distinct flag bits right below the count, a count wide enough for
// MAX_REFS, and a lock-free atomic (every poll and wake goes through it).
static_assert((State::RUNNING | State::COMPLETE | State::NOTIFIED | State::JOIN_INTEREST |
               State::JOIN_WAKER | State::CANCELLED | State::NO_OUTPUT | State::FAILED |
               State::OUTPUT_SLOT | State::NUMBERED) == State::FLAGS,
              "the flags are exactly the bits below the reference count");
static_assert(State::FLAGS + 1 == State::REF_ONE, "the count starts right above the flags");
static_assert(State::refs(~State::Word{0}) > State::MAX_REFS,
              "the count field holds every count ref_inc allows");
static_assert(State::refs(State::INITIAL) == 3 &&
                  (State::INITIAL & State::FLAGS) == (State::JOIN_INTEREST | State::NOTIFIED),
              "a fresh task: three references (owned list, notification, JoinHandle), queued");
static_assert(std::atomic<State::Word>::is_always_lock_free);

}  // namespace weft::task
