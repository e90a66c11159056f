// The per-worker run queue: bounded, single producer (its worker), multi consumer (thieves).
// This is Tokio's `scheduler/multi_thread/queue.rs` algorithm.
//
// Layout: a ring of N slots, a `tail` written only by the owner, and a `head` word packing two
// 32-bit positions: `real` (the next slot to pop) and `steal` (where a steal in progress began).
// When steal == real nobody is stealing. A thief claims [real, real + n) by moving `real` with
// one CAS, copies the tasks out, then sets steal = real with a second CAS: meanwhile the owner
// can still pop (it moves `real` only), and other thieves back off (steal != real).
//
// Invariants: tail - steal <= N (slots between steal and real are being copied: not free yet);
// only the owner writes slots in [tail, steal + N); positions wrap modulo 2^32.
// Orderings: slot contents are relaxed atomics published by the release store of `tail` (owner)
// or the release CAS of `head` (thief), and read after the matching acquire.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runtime/metrics/metrics.hpp"
#include "runtime/scheduler/inject.hpp"
#include "runtime/task/header.hpp"

namespace weft::detail {

template <std::uint32_t N = 256>
class LocalQueue {
    static_assert(N >= 4 && (N & (N - 1)) == 0, "the capacity is a power of two, at least 4");
    static constexpr std::uint32_t kMask = N - 1;

    static constexpr std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
        return (std::uint64_t{steal} << 32) | real;
    }
    static constexpr std::uint32_t steal_of(std::uint64_t h) noexcept {
        return static_cast<std::uint32_t>(h >> 32);
    }
    static constexpr std::uint32_t real_of(std::uint64_t h) noexcept {
        return static_cast<std::uint32_t>(h);
    }

   public:
    static constexpr std::uint32_t kCapacity = N;

    // Owner only. When full, half of the queue and `t` move to `overflow` in one batch.
    void push_back(task::Header* t, Inject& overflow, WorkerCounters& counters) noexcept {
        for (;;) {
            std::uint64_t head = head_.load(std::memory_order_acquire);
            std::uint32_t steal = steal_of(head), real = real_of(head);
            std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // only we write it
            if (tail - steal < N) {
                slot(tail).store(t, std::memory_order_relaxed);
                tail_.store(tail + 1, std::memory_order_release);
                return;
            }
            if (steal != real) {  // a thief is copying: it will free room soon
                overflow.push(t);
                return;
            }
            if (push_overflow(t, real, overflow)) {
                WorkerCounters::bump(counters.overflows);
                return;
            }
            // A thief took tasks meanwhile: there is room now, retry.
        }
    }

    // Owner only.
    [[nodiscard]] task::Header* pop() noexcept {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        std::uint32_t real;
        for (;;) {
            std::uint32_t steal = steal_of(head);
            real = real_of(head);
            if (real == tail_.load(std::memory_order_relaxed)) return nullptr;
            std::uint64_t next = steal == real ? pack(real + 1, real + 1) : pack(steal, real + 1);
            if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                break;
        }
        return slot(real).load(std::memory_order_relaxed);
    }

    // Any thread: steals half of this queue into `dst` (owned by the caller) and returns one of
    // the stolen tasks to run now, or null.
    [[nodiscard]] task::Header* steal_into(LocalQueue& dst, WorkerCounters& dst_counters) noexcept {
        std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
        std::uint32_t dst_steal = steal_of(dst.head_.load(std::memory_order_acquire));
        if (dst_tail - dst_steal > N / 2) return nullptr;  // the thief is busy enough
        std::uint32_t n = steal_into2(dst, dst_tail);
        if (n == 0) return nullptr;
        WorkerCounters::bump(dst_counters.steals, n);
        WorkerCounters::bump(dst_counters.steal_operations);
        --n;
        task::Header* ret = dst.slot(dst_tail + n).load(std::memory_order_relaxed);
        if (n > 0) dst.tail_.store(dst_tail + n, std::memory_order_release);
        return ret;
    }

    // Any thread; exact only for the owner.
    [[nodiscard]] std::uint32_t len() const noexcept {
        std::uint32_t tail = tail_.load(std::memory_order_acquire);
        return tail - real_of(head_.load(std::memory_order_acquire));
    }
    [[nodiscard]] bool is_empty() const noexcept { return len() == 0; }
    [[nodiscard]] bool has_tasks() const noexcept { return !is_empty(); }

   private:
    std::atomic<task::Header*>& slot(std::uint32_t pos) noexcept { return buffer_[pos & kMask]; }

    // Claims the first half with one CAS, then links it with `t` and pushes the chain. The queue
    // is full (tail - head == N, checked by the caller with nobody stealing): the CAS fails only
    // if a thief moved `head` meanwhile, and then there is room to push locally again.
    bool push_overflow(task::Header* t, std::uint32_t head, Inject& overflow) noexcept {
        constexpr std::uint32_t kTaken = N / 2;
        std::uint64_t expected = pack(head, head);
        if (!head_.compare_exchange_strong(expected, pack(head + kTaken, head + kTaken),
                                           std::memory_order_release, std::memory_order_relaxed))
            return false;
        task::Header* first = slot(head).load(std::memory_order_relaxed);
        task::Header* prev = first;
        for (std::uint32_t i = 1; i < kTaken; ++i) {
            task::Header* next = slot(head + i).load(std::memory_order_relaxed);
            prev->queue_next = next;
            prev = next;
        }
        prev->queue_next = t;
        overflow.push_batch(first, t, kTaken + 1);
        return true;
    }

    std::uint32_t steal_into2(LocalQueue& dst, std::uint32_t dst_tail) noexcept {
        std::uint64_t prev = head_.load(std::memory_order_acquire);
        std::uint64_t next;
        std::uint32_t n;
        for (;;) {
            std::uint32_t steal = steal_of(prev), real = real_of(prev);
            std::uint32_t src_tail = tail_.load(std::memory_order_acquire);
            if (steal != real) return 0;  // another thief is at work
            n = src_tail - real;
            n -= n / 2;
            if (n == 0) return 0;
            next = pack(steal, real + n);
            if (head_.compare_exchange_weak(prev, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                break;
        }
        std::uint32_t first = steal_of(next);
        for (std::uint32_t i = 0; i < n; ++i) {
            task::Header* t = slot(first + i).load(std::memory_order_relaxed);
            dst.slot(dst_tail + i).store(t, std::memory_order_relaxed);
        }
        // Done copying: release the slots (steal = real).
        prev = next;
        for (;;) {
            std::uint32_t real = real_of(prev);
            if (head_.compare_exchange_weak(prev, pack(real, real), std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return n;
        }
    }

    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    std::array<std::atomic<task::Header*>, N> buffer_{};
};

}  // namespace weft::detail
