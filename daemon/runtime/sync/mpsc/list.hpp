// The mpsc message list: an unbounded, lock-free, multi-producer single-consumer queue made of a
// linked list of 64-slot blocks (Tokio's `sync/mpsc/list.rs`).
//
// Senders: `tail_` is (next index << 1) | CLOSED. A push claims an index with one fetch_add; if
// CLOSED was already set the push fails and touches nothing else. Otherwise it finds the index's
// block from `block_tail_` (usually the first block it looks at), growing the list when needed,
// writes the slot and sets its ready bit. close() sets CLOSED and returns the end index: every
// index below it was claimed before and will be written; none above it ever will.
// `block_tail_` only moves past a final block, and the sender that moves it records the tail
// index it saw then (Block::tx_release), which is what allows the receiver to reclaim blocks.
//
// Receiver: `head_` is the block of `index_`; a pop reads slot `index_` once its ready bit is set.
// Blocks that the receiver has left and that no sender can still reach are pushed back at the end
// of the list for reuse (three attempts), or freed.
//
// Memory orders: the operations on which a receiver's "empty, then sleep" decision depends (the
// ready bits, the `next` links, CLOSED) are seq_cst, so that producers can skip waking a receiver
// that is not registered (detail::AtomicWaker::wake_if_registered). On x86 this costs nothing
// over acq_rel: the read-modify-writes are locked instructions either way and loads are plain.
// The others, where they are not seq_cst:
//  - A block's fields (start_index, the reset slots) are written before the block is linked by a
//    `next` CAS; whoever reaches the block through a `next` or `block_tail_` load, or through the
//    value a failed `next` CAS returns, reads those fields: so those loads and failure orders are
//    acquire, and the CAS that moves `block_tail_` is release (it passes on what its sender
//    acquired through `next`). A failed `block_tail_` CAS only ends the attempt: relaxed.
//  - Block::tx_release stores observed_tail before `released` (release); the receiver loads
//    `released` with acquire before it reads observed_tail and the block's `next`, which were
//    both written before the release: the `next` load after it may be relaxed.
//  - free_blocks runs when nobody else uses the list: relaxed.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

#include "runtime/sync/mpsc/block.hpp"

namespace weft::sync::mpsc::detail {

template <class T>
class ListTx {
   public:
    explicit ListTx(Block<T>* first) noexcept : block_tail_(first) {}
    ListTx(const ListTx&) = delete;
    ListTx& operator=(const ListTx&) = delete;

    // Moves `value` into the list; false (and `value` untouched) if the list is closed.
    [[nodiscard]] bool push(T& value) {
        std::size_t prev = tail_.fetch_add(2, std::memory_order_seq_cst);
        if (prev & kClosed) return false;
        const std::size_t index = prev >> 1;
        Block<T>* b = find_block(index);
        const std::size_t off = block_offset(index);
        std::construct_at(&b->slots[off].value, std::move(value));
        b->ready.fetch_or(std::uint64_t{1} << off, std::memory_order_seq_cst);
        return true;
    }

    // Closes the list for pushes. The index at which the stream ends, or nothing if it was
    // already closed.
    [[nodiscard]] std::optional<std::size_t> close() noexcept {
        std::size_t prev = tail_.fetch_or(kClosed, std::memory_order_seq_cst);
        if (prev & kClosed) return std::nullopt;
        return prev >> 1;
    }
    [[nodiscard]] bool is_closed() const noexcept {
        return tail_.load(std::memory_order_acquire) & kClosed;
    }
    // The next index a push would claim. Pushes that fail on a closed list claim one too, so the
    // caller bounds it by the end index close() returned.
    [[nodiscard]] std::size_t tail_index() const noexcept {
        return tail_.load(std::memory_order_acquire) >> 1;
    }

    // Receiver: appends a fully consumed block at the end of the list for reuse, or frees it.
    void reclaim_block(Block<T>* b) noexcept {
        b->reset();
        Block<T>* curr = block_tail_.load(std::memory_order_acquire);
        for (int attempt = 0; attempt < 3; ++attempt) {
            b->start_index = curr->start_index + kBlockCap;
            Block<T>* expected = nullptr;
            if (curr->next.compare_exchange_strong(expected, b, std::memory_order_seq_cst,
                                                   std::memory_order_acquire))
                return;
            curr = expected;
        }
        Block<T>::free(b);
    }

   private:
    static constexpr std::size_t kClosed = 1;

    Block<T>* find_block(std::size_t index) {
        const std::size_t start = block_start(index);
        Block<T>* b = block_tail_.load(std::memory_order_acquire);
        if (b->start_index == start) return b;
        // Only a sender far enough ahead tries to move block_tail_ (Tokio's heuristic): one whose
        // slot offset is smaller than its distance in blocks from the current tail block.
        bool try_updating_tail = (start - b->start_index) / kBlockCap > block_offset(index);
        for (;;) {
            if (b->start_index == start) return b;
            Block<T>* next = b->next.load(std::memory_order_acquire);
            if (!next) next = grow(b);
            try_updating_tail = try_updating_tail && b->is_final();
            if (try_updating_tail) {
                Block<T>* expected = b;
                if (block_tail_.compare_exchange_strong(expected, next, std::memory_order_release,
                                                        std::memory_order_relaxed)) {
                    // Read the tail as a read-modify-write: every sender whose claim comes later
                    // in tail_'s order starts from the new block_tail_.
                    std::size_t tail = tail_.fetch_add(0, std::memory_order_release) >> 1;
                    b->tx_release(tail);
                } else {
                    try_updating_tail = false;
                }
            }
            b = next;
        }
    }

    // Appends a block after `b` (or finds the one another sender appended) and returns b->next.
    static Block<T>* grow(Block<T>* b) {
        Block<T>* fresh = Block<T>::allocate(b->start_index + kBlockCap);
        Block<T>* expected = nullptr;
        if (b->next.compare_exchange_strong(expected, fresh, std::memory_order_seq_cst,
                                            std::memory_order_acquire))
            return fresh;
        // Lost the race: keep the allocation by appending it further down the list.
        Block<T>* next = expected;
        Block<T>* curr = next;
        for (;;) {
            fresh->start_index = curr->start_index + kBlockCap;
            Block<T>* e = nullptr;
            if (curr->next.compare_exchange_strong(e, fresh, std::memory_order_seq_cst,
                                                   std::memory_order_acquire))
                return next;
            curr = e;
        }
    }

    std::atomic<Block<T>*> block_tail_;
    std::atomic<std::size_t> tail_{0};
};

template <class T>
class ListRx {
   public:
    explicit ListRx(Block<T>* first) noexcept : head_(first), free_head_(first) {}
    ListRx(const ListRx&) = delete;
    ListRx& operator=(const ListRx&) = delete;

    // Moves the next message into `out` if it is ready.
    [[nodiscard]] bool pop(ListTx<T>& tx, std::optional<T>& out) {
        if (!try_advancing_head()) return false;
        if (free_head_ != head_) reclaim_blocks(tx);
        const std::size_t off = block_offset(index_);
        if (!(head_->ready.load(std::memory_order_seq_cst) & (std::uint64_t{1} << off)))
            return false;
        T& slot = head_->slots[off].value;
        out.emplace(std::move(slot));
        std::destroy_at(&slot);
        ++index_;
        return true;
    }
    [[nodiscard]] std::size_t index() const noexcept { return index_; }

    // Frees every block (the list is no longer used by anyone; its messages were consumed).
    void free_blocks() noexcept {
        Block<T>* b = free_head_;
        while (b) {
            Block<T>* next = b->next.load(std::memory_order_relaxed);
            Block<T>::free(b);
            b = next;
        }
        head_ = free_head_ = nullptr;
    }

   private:
    bool try_advancing_head() noexcept {
        const std::size_t start = block_start(index_);
        while (head_->start_index != start) {
            Block<T>* next = head_->next.load(std::memory_order_seq_cst);
            if (!next) return false;
            head_ = next;
        }
        return true;
    }
    void reclaim_blocks(ListTx<T>& tx) noexcept {
        while (free_head_ != head_) {
            Block<T>* b = free_head_;
            if (!b->released.load(std::memory_order_acquire)) return;
            if (b->observed_tail > index_) return;
            free_head_ = b->next.load(std::memory_order_relaxed);
            tx.reclaim_block(b);
        }
    }

    Block<T>* head_;
    std::size_t index_ = 0;
    Block<T>* free_head_;
};

}  // namespace weft::sync::mpsc::detail
