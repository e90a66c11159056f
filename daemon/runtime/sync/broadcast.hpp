// broadcast: multi-producer, multi-consumer channel where every receiver sees every value
// (Tokio's `sync::broadcast`).
//
//     auto [tx, rx] = weft::sync::broadcast::channel<Event>(1024);
//     auto rx2 = tx.subscribe();              // sees values sent from now on
//     tx.send(ev);                            // Result<size_t, SendError<Event>>: receivers
//     reached auto r = co_await rx.recv();            // Result<Event, RecvError> (a copy)
//
// The channel keeps the last `capacity` values (rounded up to a power of two, as Tokio) in a ring.
// send() never waits: it overwrites the oldest value. A receiver that fell more than the capacity
// behind gets RecvError Lagged(n) (n = values it missed) and then resumes at the oldest value still
// kept. RecvError Closed comes only after every Sender is gone and every value sent before was
// received. send() fails (the value comes back) when there is no receiver.
//
// Sender::len() is the number of values still queued for someone: sent, not yet received by every
// receiver that was there when it was sent, and not yet overwritten (Tokio's). Each receiver
// publishes its cursor (one relaxed store per receive) so that len() can take the slowest one.
// Sender::closed() completes once every receiver is gone (at once if none is left).
//
// Errors: send() -> SendError (no receiver; the value comes back); recv() -> RecvError Lagged(n)
// or Closed; try_recv() -> TryRecvError Empty, Lagged(n) or Closed. channel() throws
// std::invalid_argument for a zero or too large capacity; using a moved-from Sender throws
// std::logic_error.
//
// Thread-safety: senders and receivers may be used from any thread (each handle by one thread at
// a time). T must be copyable: each receiver gets its own copy. A Receiver must outlive its recv()
// awaits.
//
// A copy that throws: the receiver has still moved past that value (a later receive gets the next
// one, instead of throwing again on the same value forever); try_recv() throws the copy's
// exception, and awaiting recv() rethrows it in the awaiting task.
//
// Cancellation safety: recv() is cancellation safe (a dropped recv consumes nothing).
// Coop: each poll of recv() spends one budget unit.
//
// How: senders take a mutex (the tail: next position, receiver count, waiting receivers) and
// write the slot under the slot's own write lock; a receiver reads a slot under the slot's reader
// lock (one atomic add and one subtract, no mutex) and only takes the tail mutex when the slot does
// not hold the value it wants (nothing new yet: register and wait; or lagged).
//
// Difference from Tokio: a value stays in its slot until it is overwritten or the channel is
// destroyed (Tokio also drops it as soon as every receiver has seen it, at the price of one more
// atomic operation per delivery and a walk over the unread values when a receiver is dropped).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/notified_until.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync::broadcast {

struct RecvError {
    enum class Kind { closed, lagged };
    Kind kind;
    std::uint64_t skipped = 0;  // Lagged: how many values were missed
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] bool is_lagged() const noexcept { return kind == Kind::lagged; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::closed ? "channel closed" : "receiver lagged behind";
    }
};

struct TryRecvError {
    enum class Kind { empty, closed, lagged };
    Kind kind;
    std::uint64_t skipped = 0;
    [[nodiscard]] bool is_empty() const noexcept { return kind == Kind::empty; }
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] bool is_lagged() const noexcept { return kind == Kind::lagged; }
    [[nodiscard]] const char* what() const noexcept {
        switch (kind) {
            case Kind::empty:
                return "channel empty";
            case Kind::closed:
                return "channel closed";
            case Kind::lagged:
                return "receiver lagged behind";
        }
        return "broadcast error";
    }
};

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity);

namespace detail {

// A reader-writer spin lock for one slot. Readers hold it only to compare a position and copy a
// value; the writer (a sender, serialised by the tail mutex) announces itself first, so readers
// arriving later back off at once and the writer waits only for readers already copying.
class SlotLock {
   public:
    [[nodiscard]] bool try_lock_shared() noexcept {
        if (word_.fetch_add(1, std::memory_order_acquire) & kWriter) {
            word_.fetch_sub(1, std::memory_order_relaxed);
            return false;
        }
        return true;
    }
    void unlock_shared() noexcept { word_.fetch_sub(1, std::memory_order_release); }
    void lock() noexcept {
        word_.fetch_or(kWriter, std::memory_order_acquire);
        for (unsigned spins = 0; word_.load(std::memory_order_acquire) & ~kWriter; ++spins)
            if (spins > 64) std::this_thread::yield();
    }
    void unlock() noexcept { word_.fetch_and(~kWriter, std::memory_order_release); }

   private:
    static constexpr std::uint32_t kWriter = 1u << 31;
    std::atomic<std::uint32_t> word_{0};
};

template <class T>
struct Slot {
    Slot() noexcept {}
    Slot(const Slot&) = delete;
    ~Slot() {
        if (has_value) std::destroy_at(&value);
    }
    SlotLock lock;
    std::uint64_t pos = 0;  // the position of the value held (guarded by `lock`)
    bool has_value = false;
    union {
        T value;
    };
};

struct Waiter : sync::detail::WaitNode {
    Waker waker;
    std::atomic<bool> queued{false};  // set under the tail mutex; cleared last by the waker
};

template <class T>
struct Shared {
    explicit Shared(std::size_t capacity)
        : slots(std::make_unique<Slot<T>[]>(capacity)), mask(capacity - 1) {
        for (std::size_t i = 0; i < capacity; ++i) slots[i].pos = i - capacity;  // "before 0"
    }
    [[nodiscard]] std::uint64_t cap() const noexcept { return mask + 1; }

    std::unique_ptr<Slot<T>[]> slots;
    std::uint64_t mask;
    std::atomic<std::size_t> num_tx{1};
    // The tail, under `mutex`.
    std::mutex mutex;
    std::uint64_t pos = 0;  // next position to write
    std::size_t rx_cnt = 1;
    // Each live receiver's next position (written by its receiver, read under `mutex` by len()).
    std::vector<std::shared_ptr<std::atomic<std::uint64_t>>> cursors;
    bool closed = false;
    Notify notify_tx;  // notify_waiters() when the last receiver goes
    sync::detail::WaitList<Waiter> waiters;

    // With `mutex` held by `lock`: wakes every waiting receiver after unlocking.
    void notify_rx(std::unique_lock<std::mutex>& lock) noexcept {
        sync::detail::WakeList<Waker> wakers;
        while (Waiter* w = waiters.pop_front()) {
            if (!wakers.can_push()) wakers.wake_all();
            wakers.push(std::move(w->waker));
            w->queued.store(false, std::memory_order_release);  // last touch
        }
        lock.unlock();
        wakers.wake_all();
    }
};

}  // namespace detail

template <class T>
class Receiver {
   private:
    struct Outcome {
        enum class Kind { value, empty, lagged, closed };
        Kind kind = Kind::empty;
        std::uint64_t skipped = 0;
    };

   public:
    Receiver(Receiver&& o) noexcept
        : shared_(std::move(o.shared_)), next_(o.next_), cursor_(std::move(o.cursor_)) {}
    Receiver& operator=(Receiver&& o) noexcept {
        if (this != &o) {
            release();
            shared_ = std::move(o.shared_);
            next_ = o.next_;
            cursor_ = std::move(o.cursor_);
        }
        return *this;
    }
    ~Receiver() { release(); }

    class [[nodiscard]] Recv : public Pollable<Recv> {
       public:
        explicit Recv(Receiver& rx) noexcept : rx_(&rx) {}
        Recv(Recv&& o) noexcept : rx_(o.rx_) {
            if (o.waiter_.queued.load(std::memory_order_acquire))
                std::terminate();  // moved while queued
        }
        ~Recv() {
            if (!waiter_.queued.load(std::memory_order_acquire)) return;
            std::lock_guard lock(rx_->shared_->mutex);
            if (waiter_.queued.load(std::memory_order_relaxed)) {
                rx_->shared_->waiters.remove(&waiter_);
                waiter_.queued.store(false, std::memory_order_relaxed);
            }
        }
        bool poll(Context& cx) noexcept {
            if (done_) return true;
            if (!coop::poll_proceed(cx)) return false;
            Outcome o;
            try {
                o = rx_->recv_ref(&waiter_, &cx.waker(), value_);
                rx_->publish_cursor();
            } catch (...) {  // the copy threw (the cursor moved on): rethrown by await_resume
                error_ = std::current_exception();
                done_ = true;
                return true;
            }
            if (o.kind == Outcome::Kind::empty) {
                coop::refund();
                return false;
            }
            outcome_ = o;
            done_ = true;
            return true;
        }
        Result<T, RecvError> await_resume() {
            if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
            switch (outcome_.kind) {
                case Outcome::Kind::value:
                    return std::move(*value_);
                case Outcome::Kind::lagged:
                    return err(RecvError{RecvError::Kind::lagged, outcome_.skipped});
                default:
                    return err(RecvError{RecvError::Kind::closed, 0});
            }
        }

       private:
        Receiver* rx_;
        detail::Waiter waiter_;
        std::optional<T> value_;
        Outcome outcome_{};
        std::exception_ptr error_;
        bool done_ = false;
    };
    // The next value (a copy), Lagged(n) after falling behind, Closed at the end.
    [[nodiscard]] Recv recv() { return Recv(*this); }

    Result<T, TryRecvError> try_recv() {
        std::optional<T> v;
        Outcome o = recv_ref(nullptr, nullptr, v);
        publish_cursor();
        switch (o.kind) {
            case Outcome::Kind::value:
                return std::move(*v);
            case Outcome::Kind::empty:
                return err(TryRecvError{TryRecvError::Kind::empty, 0});
            case Outcome::Kind::lagged:
                return err(TryRecvError{TryRecvError::Kind::lagged, o.skipped});
            case Outcome::Kind::closed:
                break;
        }
        return err(TryRecvError{TryRecvError::Kind::closed, 0});
    }

    // Values sent but not yet received by this receiver (including ones it will miss).
    [[nodiscard]] std::uint64_t len() const {
        std::lock_guard lock(shared_->mutex);
        return shared_->pos - next_;
    }
    [[nodiscard]] bool is_empty() const { return len() == 0; }
    // A new receiver that starts at the next value sent.
    [[nodiscard]] Receiver resubscribe() const { return Receiver::subscribe(shared_); }

   private:
    friend class Sender<T>;
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);

    // With shared->mutex held (or before the channel is shared: channel()).
    Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t next)
        : shared_(std::move(shared)),
          next_(next),
          cursor_(std::make_shared<std::atomic<std::uint64_t>>(next)) {
        shared_->cursors.push_back(cursor_);
    }
    static Receiver subscribe(const std::shared_ptr<detail::Shared<T>>& shared) {
        std::lock_guard lock(shared->mutex);
        Receiver rx(shared, shared->pos);
        ++shared->rx_cnt;
        return rx;
    }
    void release() noexcept {
        if (!shared_) return;
        bool last = false;
        {
            std::lock_guard lock(shared_->mutex);
            last = --shared_->rx_cnt == 0;
            auto& c = shared_->cursors;
            for (std::size_t i = 0; i < c.size(); ++i) {
                if (c[i] != cursor_) continue;
                c[i] = std::move(c.back());
                c.pop_back();
                break;
            }
        }
        if (last) shared_->notify_tx.notify_waiters();
        shared_.reset();
        cursor_.reset();
    }
    // Relaxed: len() reads it under the mutex and needs no order with the values themselves.
    void publish_cursor() noexcept { cursor_->store(next_, std::memory_order_relaxed); }

    // Copies value `next_` into `out` if it is there. Empty registers `waiter` (if given).
    Outcome recv_ref(detail::Waiter* waiter, const WakerRef* waker, std::optional<T>& out) {
        detail::Shared<T>& s = *shared_;
        detail::Slot<T>& slot = s.slots[next_ & s.mask];
        if (slot.lock.try_lock_shared()) {
            if (slot.pos == next_) {
                struct Unlock {
                    detail::SlotLock& l;
                    ~Unlock() { l.unlock_shared(); }
                } guard{slot.lock};
                ++next_;  // first: a copy that throws still moves the cursor past the value
                out.emplace(slot.value);
                return {Outcome::Kind::value, 0};
            }
            slot.lock.unlock_shared();
        }
        return recv_slow(waiter, waker, out);
    }

    // Under the tail mutex: nothing new (register), lagged, or a value just being written.
    [[gnu::noinline]] Outcome recv_slow(detail::Waiter* waiter, const WakerRef* waker,
                                        std::optional<T>& out) {
        detail::Shared<T>& s = *shared_;
        detail::Slot<T>& slot = s.slots[next_ & s.mask];
        // Slow path. Writers hold the tail mutex, so under it the slot is stable.
        std::unique_lock lock(s.mutex);
        if (slot.pos == next_) {
            ++next_;  // before the copy, as on the fast path
            out.emplace(slot.value);
            return {Outcome::Kind::value, 0};
        }
        if (slot.pos + s.cap() == next_) {  // nothing new yet
            if (s.closed) return {Outcome::Kind::closed, 0};
            if (waiter) {
                if (waiter->queued.load(std::memory_order_relaxed)) {
                    waker->store_into(waiter->waker);
                } else {
                    waiter->waker = waker->clone();
                    waiter->queued.store(true, std::memory_order_relaxed);
                    s.waiters.push_back(waiter);
                }
            }
            return {Outcome::Kind::empty, 0};
        }
        // Lagged: resume at the oldest value kept.
        std::uint64_t oldest = s.pos - s.cap();
        std::uint64_t missed = oldest - next_;
        if (missed == 0) {  // the slot was rewritten with exactly our value meanwhile
            ++next_;        // before the copy, as on the fast path
            out.emplace(slot.value);
            return {Outcome::Kind::value, 0};
        }
        next_ = oldest;
        return {Outcome::Kind::lagged, missed};
    }

    std::shared_ptr<detail::Shared<T>> shared_;
    std::uint64_t next_;
    std::shared_ptr<std::atomic<std::uint64_t>> cursor_;
};

template <class T>
class Sender {
   public:
    Sender(const Sender& o) noexcept : shared_(o.shared_) {
        shared_->num_tx.fetch_add(1, std::memory_order_relaxed);
    }
    Sender(Sender&& o) noexcept = default;
    Sender& operator=(Sender o) noexcept {
        std::swap(shared_, o.shared_);
        return *this;
    }
    ~Sender() {
        if (!shared_ || shared_->num_tx.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        std::unique_lock lock(shared_->mutex);
        shared_->closed = true;
        shared_->notify_rx(lock);
    }

    // Sends to every current receiver; the number of them, or the value back if there is none.
    Result<std::size_t, SendError<T>> send(T value) {
        detail::Shared<T>& s = *shared();
        std::unique_lock lock(s.mutex);
        if (s.rx_cnt == 0) return err(SendError<T>{std::move(value)});
        const std::uint64_t pos = s.pos;
        detail::Slot<T>& slot = s.slots[pos & s.mask];
        {
            // If moving the value in throws, the slot is unlocked and nothing was sent (the old
            // value may be left moved-from, as after any throwing move assignment).
            slot.lock.lock();
            struct Unlock {
                detail::SlotLock& l;
                ~Unlock() { l.unlock(); }
            } guard{slot.lock};
            if (slot.has_value) {
                slot.value = std::move(value);
            } else {
                std::construct_at(&slot.value, std::move(value));
                slot.has_value = true;
            }
            slot.pos = pos;
        }
        s.pos = pos + 1;
        std::size_t receivers = s.rx_cnt;
        if (s.waiters.empty()) return receivers;
        s.notify_rx(lock);
        return receivers;
    }
    [[nodiscard]] Receiver<T> subscribe() const { return Receiver<T>::subscribe(shared()); }
    [[nodiscard]] std::size_t receiver_count() const {
        std::lock_guard lock(shared()->mutex);
        return shared_->rx_cnt;
    }
    [[nodiscard]] bool same_channel(const Sender& o) const noexcept { return shared_ == o.shared_; }
    // Values still queued for a receiver (see the file comment); 0 with no receiver.
    [[nodiscard]] std::size_t len() const {
        detail::Shared<T>& s = *shared();
        std::lock_guard lock(s.mutex);
        const std::uint64_t oldest = s.pos > s.cap() ? s.pos - s.cap() : 0;
        std::uint64_t slowest = s.pos;
        for (const auto& c : s.cursors)
            slowest = std::min(slowest, std::max(c->load(std::memory_order_relaxed), oldest));
        return static_cast<std::size_t>(s.pos - slowest);
    }
    [[nodiscard]] bool is_empty() const { return len() == 0; }

    class [[nodiscard]] Closed : public Pollable<Closed> {
       public:
        explicit Closed(detail::Shared<T>& s) noexcept : shared_(&s) {}
        bool poll(Context& cx) noexcept {
            return until_.poll(cx, shared_->notify_tx, [this]() noexcept { return no_receiver(); });
        }
        void await_resume() const noexcept {}

       private:
        bool no_receiver() noexcept {
            std::lock_guard lock(shared_->mutex);
            return shared_->rx_cnt == 0;
        }
        detail::Shared<T>* shared_;
        sync::detail::NotifiedUntil until_;
    };
    // Completes once every receiver is gone (at once if none is left). The Sender must outlive
    // the await. Cancellation safe.
    [[nodiscard]] Closed closed() { return Closed(*shared()); }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    explicit Sender(std::shared_ptr<detail::Shared<T>> shared) noexcept
        : shared_(std::move(shared)) {}
    const std::shared_ptr<detail::Shared<T>>& shared() const {
        if (!shared_) throw std::logic_error("broadcast::Sender used after it was moved from");
        return shared_;
    }
    std::shared_ptr<detail::Shared<T>> shared_;
};

// A channel keeping the last `capacity` values (rounded up to a power of two). Throws
// std::invalid_argument for 0 or more than SIZE_MAX >> 1 (as Tokio's assertion).
template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
    static_assert(std::is_copy_constructible_v<T>, "broadcast::channel<T>: T must be copyable");
    if (capacity == 0) throw std::invalid_argument("broadcast::channel: capacity must be positive");
    constexpr std::size_t kMaxCapacity = std::numeric_limits<std::size_t>::max() >> 1;
    if (capacity > kMaxCapacity)
        throw std::invalid_argument("broadcast::channel: capacity " + std::to_string(capacity) +
                                    " is larger than the maximum " + std::to_string(kMaxCapacity));
    auto shared = std::make_shared<detail::Shared<T>>(std::bit_ceil(capacity));
    Receiver<T> rx(shared, 0);
    return {Sender<T>(std::move(shared)), std::move(rx)};
}

}  // namespace weft::sync::broadcast
