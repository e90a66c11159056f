// Chan: the state shared by the senders and the receiver of an mpsc channel (Tokio's
// `sync/mpsc/chan.rs`). Bounded channels add a BatchSemaphore holding the free capacity.
//
// Lifetime: one allocation, freed when `refs` reaches zero. The senders together hold one
// reference (dropped by the last sender, after it closed the list) and the receiver one.
//
// Closing:
//  * The last sender closes the list (ListTx::close) and records the end index in `closed_at`;
//    the receiver returns nullopt once it consumed everything before it.
//  * Receiver::close() (and dropping the receiver) fails later sends. Unbounded: the list itself
//    is closed and the end index recorded. Bounded: the semaphore is closed (waiting and later
//    sends fail) but a sender already holding capacity (a Permit, a send past its wait) still
//    delivers; the receiver drains and returns nullopt once the semaphore has all its permits
//    back ("idle": nothing buffered, nothing in flight), as Tokio's.
//
// Weak senders (WeakSender, WeakUnboundedSender) hold a reference of their own on the Chan but do
// not count as senders: they never keep the channel open. upgrade() adds a sender only while
// `tx_count` is above zero (a CAS loop), so a channel whose last sender is gone stays closed.
//
// Length: the messages claimed by senders (the list's tail index, bounded by `closed_at` since a
// failed push on a closed list claims an index too) minus the receiver's index, as Tokio counts.
// A message whose sender claimed its slot but has not written it yet is counted.
//
// Waking the receiver: a push checks the receiver's waker state with one load and only takes the
// waker when the receiver is registered (detail::AtomicWaker::wake_if_registered).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/batch_semaphore.hpp"
#include "runtime/sync/detail/atomic_waker.hpp"
#include "runtime/sync/mpsc/list.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync::mpsc::detail {

inline constexpr std::size_t kOpen = std::numeric_limits<std::size_t>::max();

// Capacity accounting of a bounded channel: permits = free slots.
struct BoundedCapacity {
    explicit BoundedCapacity(std::size_t capacity) noexcept : sem(capacity), bound(capacity) {}
    [[nodiscard]] bool is_idle() const noexcept { return sem.available_permits() == bound; }
    sync::detail::BatchSemaphore sem;
    std::size_t bound;
};
struct Unbounded {};

template <class T, bool Bounded>
class Chan {
   public:
    using Capacity = std::conditional_t<Bounded, BoundedCapacity, Unbounded>;

    [[nodiscard]] static Chan* create(std::size_t capacity) {
        Block<T>* first = Block<T>::allocate(0);
        try {
            return std::make_unique<Chan>(first, capacity).release();
        } catch (...) {
            Block<T>::free(first);
            throw;
        }
    }
    Chan(Block<T>* first, std::size_t capacity) noexcept
        : tx_(first), capacity_(make_capacity(capacity)), rx_(first) {}
    Chan(const Chan&) = delete;
    Chan& operator=(const Chan&) = delete;
    ~Chan() {
        drain();
        rx_.free_blocks();
    }

    // --- Senders ---------------------------------------------------------------------------------

    void add_sender() noexcept { tx_count_.fetch_add(1, std::memory_order_relaxed); }
    // A weak sender's upgrade: adds a sender unless the last one is already gone.
    [[nodiscard]] bool try_add_sender() noexcept {
        std::size_t n = tx_count_.load(std::memory_order_relaxed);
        while (n != 0) {
            if (tx_count_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel,
                                                std::memory_order_relaxed))
                return true;
        }
        return false;
    }
    [[nodiscard]] std::size_t sender_count() const noexcept {
        return tx_count_.load(std::memory_order_acquire);
    }
    // A weak sender's own reference, dropped with release_ref().
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release_ref() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) std::unique_ptr<Chan> owned(this);
    }
    void drop_sender() noexcept {
        if (tx_count_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        if (auto end = tx_.close()) closed_at_.store(*end, std::memory_order_seq_cst);
        rx_waker_.wake();
        release_ref();
    }
    // Pushes a message the caller may send (capacity already taken when bounded). False if the
    // list is closed (unbounded receiver closed); `value` is then left untouched.
    [[nodiscard]] bool push(T& value) {
        if (!tx_.push(value)) return false;
        rx_waker_.wake_if_registered();
        return true;
    }
    // True once the receiver closed or was dropped: sends fail.
    [[nodiscard]] bool is_rx_closed() const noexcept {
        if constexpr (Bounded)
            return capacity_.sem.is_closed();
        else
            return tx_.is_closed();
    }
    [[nodiscard]] Capacity& capacity() noexcept { return capacity_; }
    // A bounded sender gave back capacity it did not use (a dropped Permit).
    void return_permit() noexcept { return_permits(1); }
    void return_permits(std::size_t n) noexcept {
        if constexpr (Bounded) {
            capacity_.sem.release(n);
            // The receiver may be waiting for the last in-flight permit after close().
            if (capacity_.sem.is_closed() && capacity_.is_idle()) rx_waker_.wake();
        }
    }
    [[nodiscard]] Notify& notify_rx_closed() noexcept { return notify_rx_closed_; }

    // --- Receiver --------------------------------------------------------------------------------

    enum class Pop { value, empty, closed };
    [[nodiscard]] Pop try_pop(std::optional<T>& out) {
        if (rx_.pop(tx_, out)) {
            if constexpr (Bounded) capacity_.sem.release(1);
            return Pop::value;
        }
        if (rx_.index() >= closed_at_.load(std::memory_order_seq_cst)) return Pop::closed;
        if constexpr (Bounded) {
            if (rx_closed_ && capacity_.is_idle()) return Pop::closed;
        }
        return Pop::empty;
    }
    // One poll of recv(): true when `out` holds the message or the channel ended (nullopt).
    bool poll_recv(Context& cx, std::optional<T>& out) {
        if (!coop::poll_proceed(cx)) return false;
        Pop r = try_pop(out);
        if (r == Pop::empty) {
            rx_waker_.register_waker(cx.waker());
            r = try_pop(out);  // a message pushed before the registration
            // Not waiting after all: take the waker back, so that a finished task is never kept
            // alive by it (its frame may own this receiver).
            if (r != Pop::empty) rx_waker_.unregister();
        }
        if (r != Pop::empty) return true;
        coop::refund();
        return false;
    }
    // One poll of recv_many(): moves up to `limit` ready messages to the end of `out`. True when
    // it moved at least one (`moved` says how many) or the channel ended (`moved` is 0).
    bool poll_recv_many(Context& cx, std::vector<T>& out, std::size_t limit, std::size_t& moved) {
        std::optional<T> first;
        if (!poll_recv(cx, first)) return false;
        moved = 0;
        if (!first) return true;
        out.push_back(std::move(*first));
        ++moved;
        std::optional<T> next;
        while (moved < limit && try_pop(next) == Pop::value) {
            out.push_back(std::move(*next));
            next.reset();
            ++moved;
        }
        return true;
    }
    // Messages in the channel, received by nobody yet (see Length above).
    [[nodiscard]] std::size_t len() const noexcept {
        const std::size_t tail =
            std::min(tx_.tail_index(), closed_at_.load(std::memory_order_seq_cst));
        return tail > rx_.index() ? tail - rx_.index() : 0;
    }
    // True once the receiver closed or every sender is gone (Tokio's Receiver::is_closed).
    [[nodiscard]] bool is_closed_for_rx() const noexcept {
        return rx_closed_ || tx_count_.load(std::memory_order_acquire) == 0;
    }
    void close_rx() noexcept {
        if (rx_closed_) return;
        rx_closed_ = true;
        if constexpr (Bounded) {
            capacity_.sem.close();
        } else {
            if (auto end = tx_.close()) closed_at_.store(*end, std::memory_order_seq_cst);
        }
        notify_rx_closed_.notify_waiters();
    }
    void drop_receiver() noexcept {
        close_rx();
        drain();
        release_ref();
    }

   private:
    static Capacity make_capacity(std::size_t capacity) noexcept {
        if constexpr (Bounded)
            return Capacity(capacity);
        else
            return Capacity{};
    }
    // Destroys every ready message (giving back its capacity).
    void drain() noexcept {
        std::optional<T> v;
        while (rx_.pop(tx_, v)) {
            v.reset();
            if constexpr (Bounded) capacity_.sem.release(1);
        }
    }

    // Sender side.
    ListTx<T> tx_;
    std::atomic<std::size_t> tx_count_{1};
    Capacity capacity_;
    // Shared.
    sync::detail::AtomicWaker rx_waker_;
    std::atomic<std::size_t> closed_at_{kOpen};
    std::atomic<std::size_t> refs_{2};
    Notify notify_rx_closed_;
    // Receiver side, apart from the senders' hot fields.
    alignas(64) ListRx<T> rx_;
    bool rx_closed_ = false;
};

// The awaitable of recv(): std::optional<T>, nullopt once the channel is closed and drained.
// A recv() dropped while pending leaves its waker registered until the next send takes it (a
// spurious wake-up of a task that no longer waits, as in Tokio); it holds no reference to the
// channel, so it keeps nothing else alive.
template <class T, bool Bounded>
class [[nodiscard]] Recv : public Pollable<Recv<T, Bounded>> {
   public:
    explicit Recv(Chan<T, Bounded>* chan) noexcept : chan_(chan) {}
    bool poll(Context& cx) { return chan_->poll_recv(cx, out_); }
    std::optional<T> await_resume() noexcept(std::is_nothrow_move_constructible_v<T>) {
        return std::move(out_);
    }

   private:
    Chan<T, Bounded>* chan_;
    std::optional<T> out_;
};

// The awaitable of recv_many(buffer, limit): how many messages it appended to `buffer`, at least
// one, or 0 once the channel is closed and drained (or at once for a limit of 0).
template <class T, bool Bounded>
class [[nodiscard]] RecvMany : public Pollable<RecvMany<T, Bounded>> {
   public:
    RecvMany(Chan<T, Bounded>* chan, std::vector<T>& out, std::size_t limit) noexcept
        : chan_(chan), out_(&out), limit_(limit) {}
    bool poll(Context& cx) {
        if (limit_ == 0) return true;
        return chan_->poll_recv_many(cx, *out_, limit_, moved_);
    }
    std::size_t await_resume() const noexcept { return moved_; }

   private:
    Chan<T, Bounded>* chan_;
    std::vector<T>* out_;
    std::size_t limit_;
    std::size_t moved_ = 0;
};

// The awaitable of Sender::closed(): completes once the receiver closed or was dropped.
template <class T, bool Bounded>
class [[nodiscard]] Closed : public Pollable<Closed<T, Bounded>> {
   public:
    explicit Closed(Chan<T, Bounded>* chan) noexcept : chan_(chan) {}
    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        // Ask for the notification before checking, so that a close in between is not missed.
        if (!notified_) notified_.emplace(chan_->notify_rx_closed().notified());
        if (chan_->is_rx_closed()) return true;
        if (notified_->poll_unbudgeted(cx) || chan_->is_rx_closed()) return true;
        coop::refund();
        return false;
    }
    void await_resume() const noexcept {}

   private:
    Chan<T, Bounded>* chan_;
    std::optional<Notified> notified_;
};

}  // namespace weft::sync::mpsc::detail
