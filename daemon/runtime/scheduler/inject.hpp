// Inject: a run queue any thread may push to and pop from. The global one takes spawns from
// outside the runtime and wakes from foreign threads; each multi_thread worker has one more for
// the overflow of its full local queue. A mutex-protected intrusive FIFO with an atomic length
// so that the empty check (the common case) takes no lock.
//
// `len_` is written only under `mutex_`, so its load-then-store is not a lost update. Its release
// stores pair with the acquire loads of the lock-free check; that check is only a hint: a pop
// that reads 0 while a push is in flight takes nothing, and the pusher then wakes a worker
// (notify_parked, idle.hpp's protocol), which finds the task under the lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "runtime/task/header.hpp"

namespace weft::detail {

class Inject {
   public:
    void push(task::Header* t) noexcept {
        t->queue_next = nullptr;
        std::lock_guard lock(mutex_);
        append(t, t, 1);
    }
    // Pushes the chain first..last (linked through queue_next) of n tasks in one go.
    void push_batch(task::Header* first, task::Header* last, std::size_t n) noexcept {
        last->queue_next = nullptr;
        std::lock_guard lock(mutex_);
        append(first, last, n);
    }
    [[nodiscard]] task::Header* pop() noexcept {
        if (len_.load(std::memory_order_acquire) == 0) return nullptr;
        std::lock_guard lock(mutex_);
        task::Header* t = head_;
        if (!t) return nullptr;
        head_ = t->queue_next;
        if (!head_) tail_ = nullptr;
        len_.store(len_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
        return t;
    }
    [[nodiscard]] bool is_empty() const noexcept { return len() == 0; }
    [[nodiscard]] std::size_t len() const noexcept { return len_.load(std::memory_order_acquire); }

   private:
    void append(task::Header* first, task::Header* last, std::size_t n) noexcept {
        if (tail_)
            tail_->queue_next = first;
        else
            head_ = first;
        tail_ = last;
        len_.store(len_.load(std::memory_order_relaxed) + n, std::memory_order_release);
    }
    std::mutex mutex_;
    task::Header* head_ = nullptr;
    task::Header* tail_ = nullptr;
    std::atomic<std::size_t> len_{0};
};

}  // namespace weft::detail
