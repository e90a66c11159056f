// oneshot: a channel that carries exactly one value from one Sender to one Receiver (Tokio's
// `sync::oneshot`).
//
//     auto [tx, rx] = weft::sync::oneshot::channel<int>();
//     spawn(worker(std::move(tx)));                  // worker: tx.send(42)
//     Result<int, oneshot::RecvError> r = co_await rx;
//
// Sender::send(v) consumes the sender; it fails, giving `v` back in SendError, when the Receiver
// was dropped or closed. Dropping a Sender without sending completes the Receiver with RecvError.
// `co_await rx` gives Result<T, RecvError>; afterwards the Receiver is spent (awaiting it again
// throws std::logic_error). Receiver::close() makes later sends fail while a value sent before it
// can still be taken with try_recv(). Sender::closed() completes when the Receiver is dropped or
// closed; Sender::is_closed() tells without waiting.
//
// Cost: one allocation per channel (an atomic state word, the value slot, the two waker slots);
// the Sender and Receiver each hold a pointer to it, and the state word also counts them, so a
// send or a drop is a single atomic read-modify-write on the common paths.
//
// Thread-safety: the Sender and the Receiver may be used from different threads; each one is used
// by one thread at a time.
//
// Cancellation safety: awaiting the Receiver is cancellation safe (a dropped await leaves the value
// in the channel; the Receiver can be awaited again). Sender::closed() is cancellation safe.
//
// A thread outside the runtime waits with Receiver::blocking_recv() instead of co_await; on a
// runtime thread it throws std::logic_error, as Tokio's panics.
//
// Coop: awaiting the Receiver and Sender::closed() each spend one budget unit per poll.
//
// Differences from Tokio: T must be an object type (use std::monostate for "no data"); send()
// on an lvalue Sender leaves it empty (Tokio's takes it by value); try_recv() on a Receiver that
// is not ready returns Empty and keeps it usable, as Tokio's.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/blocking_wait.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/util/block_cache.hpp"

namespace weft::sync::oneshot {

// The Sender was dropped without sending.
struct RecvError {
    [[nodiscard]] static const char* what() noexcept { return "channel closed"; }
    friend bool operator==(const RecvError&, const RecvError&) = default;
};

struct TryRecvError {
    enum class Kind { empty, closed };
    Kind kind;
    [[nodiscard]] bool is_empty() const noexcept { return kind == Kind::empty; }
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::empty ? "channel empty" : "channel closed";
    }
    friend bool operator==(const TryRecvError&, const TryRecvError&) = default;
};

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel();

namespace detail {

// The state word. The first four bits are Tokio's; the last two count the handles, so that
// completing and releasing a handle is one atomic operation.
//   RX_TASK_SET  rx_task holds the receiver's waker
//   VALUE_SENT   the sender completed (with a value if has_value, else it was dropped)
//   CLOSED       the receiver closed or dropped: sends fail
//   TX_TASK_SET  tx_task holds the waker of Sender::closed()
//   TX_ALIVE / RX_ALIVE   the handle still refers to the shared state; whoever clears the last
//                         of the two frees it
//
// Waker slots: a slot belongs to whoever clears its bit. The waiting side writes its slot while the
// bit is clear and then sets the bit; the completing side (the sender for rx_task, the receiver's
// close or drop for tx_task) clears the bit in the same read-modify-write that completes, then
// moves the waker out and wakes it. So no waker stays behind once a wait is over: a waker left in
// the shared state could keep alive a finished task whose frame holds a handle to that state.
//
// Orderings. Each side writes plain memory before a read-modify-write of the state word and reads
// the other side's after one: the sender the value and has_value before VALUE_SENT, a waiting side
// its waker slot before its TASK_SET bit; the receiver reads the value after seeing VALUE_SENT, a
// completer moves a waker out after seeing its bit. So every successful read-modify-write is
// acq_rel (it both publishes and acquires), and every load whose result decides such a plain read
// (try_recv, is_closed, register_task's first look) is acquire. The load that starts a CAS loop,
// and the CAS's failure order, may be relaxed: the value only feeds the next attempt, and the
// attempt that succeeds acquires (close's failure order is acquire; relaxed would do). Clearing an
// alive bit is acq_rel for the reason a reference count's decrement is: the handle that frees the
// state must see every write the other made to it, and its own must come before the free.
inline constexpr std::uint32_t kRxTaskSet = 1u << 0;
inline constexpr std::uint32_t kValueSent = 1u << 1;
inline constexpr std::uint32_t kClosed = 1u << 2;
inline constexpr std::uint32_t kTxTaskSet = 1u << 3;
inline constexpr std::uint32_t kTxAlive = 1u << 4;
inline constexpr std::uint32_t kRxAlive = 1u << 5;

template <class T>
struct Inner {
    // A channel per request is the common use: its state comes from the thread's block cache.
    static void* operator new(std::size_t bytes) {
        return weft::detail::block_cache::allocate(bytes);
    }
    static void operator delete(void* block, std::size_t bytes) noexcept {
        weft::detail::block_cache::deallocate(block, bytes);
    }

    Inner() noexcept {}
    Inner(const Inner&) = delete;
    Inner& operator=(const Inner&) = delete;
    ~Inner() {
        if (has_value) std::destroy_at(&value);
    }

    // Clears the handle's alive bit; frees the state if the other handle is gone too.
    static void release(Inner* in, std::uint32_t alive_bit) noexcept {
        std::uint32_t prev = in->state.fetch_and(~alive_bit, std::memory_order_acq_rel);
        if ((prev & (kTxAlive | kRxAlive)) == alive_bit) destroy(in);
    }
    static void destroy(Inner* in) noexcept { std::unique_ptr<Inner> owned(in); }

    // The sender completes, with or without a value, and lets go of the state. False if the
    // receiver had closed (a value stays in the slot for the caller to take back).
    static bool complete(Inner* in) noexcept {
        std::uint32_t cur = in->state.load(std::memory_order_relaxed);
        for (;;) {
            if (cur & kClosed) {
                if (!in->has_value) release(in, kTxAlive);
                return false;
            }
            // Taking the waker needs the state alive: keep TX_ALIVE until it is out.
            const bool waiting = cur & kRxTaskSet;
            std::uint32_t next = (cur | kValueSent) & ~kRxTaskSet;
            if (!waiting) next &= ~kTxAlive;
            if (in->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                                std::memory_order_relaxed)) {
                if (waiting) {
                    Waker w = std::move(in->rx_task);
                    release(in, kTxAlive);
                    w.wake();
                }
                return true;
            }
        }
    }

    // Receiver side: sets CLOSED and takes the waker of Sender::closed() if one is registered.
    // With `drop`, also lets go of the state (the receiver is done).
    static void close(Inner* in, bool drop) noexcept {
        std::uint32_t cur = in->state.load(std::memory_order_relaxed);
        for (;;) {
            const bool waiting = cur & kTxTaskSet;
            std::uint32_t next = (cur | kClosed) & ~kTxTaskSet;
            if (drop && !waiting) next &= ~kRxAlive;
            if (in->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
                if (waiting) {
                    Waker w = std::move(in->tx_task);
                    if (drop) release(in, kRxAlive);
                    // Completed sender: nobody waits any more, just drop the waker.
                    if (!(cur & (kValueSent | kClosed))) w.wake();
                } else if (drop && !(cur & kTxAlive)) {
                    destroy(in);
                }
                return;
            }
        }
    }

    std::atomic<std::uint32_t> state{kTxAlive | kRxAlive};
    bool has_value = false;  // written before VALUE_SENT is published, or by the receiver after
    Waker rx_task;
    Waker tx_task;
    union {
        T value;
    };
};

// The waiting side's half of the slot protocol (see the state word): registers `waker` in `slot`
// unless `done_mask` is observed. True when the wait is over; no waker of ours stays behind then.
template <class Slot>
[[nodiscard]] bool register_task(std::atomic<std::uint32_t>& state, Slot& slot, std::uint32_t bit,
                                 std::uint32_t done_mask, const WakerRef& waker) noexcept {
    std::uint32_t s = state.load(std::memory_order_acquire);
    if (s & bit) {
        // Registered before and not completed since (a completion clears the bit), or completed
        // by our own side (the receiver's close()). Take the slot back to replace or drop it.
        s = state.fetch_and(~bit, std::memory_order_acq_rel);
        if (!(s & bit)) return true;  // the completer cleared it first: it owns the slot
        if (s & done_mask) {
            slot.reset();
            return true;
        }
    } else if (s & done_mask) {
        return true;
    }
    slot = waker.clone();  // the bit is clear and nothing completed: the slot is ours
    s = state.fetch_or(bit, std::memory_order_acq_rel);
    if (!(s & done_mask)) return false;
    // Completed meanwhile without seeing our bit. Take the slot back and empty it, unless a
    // second completion (close() then the receiver's drop) took it first.
    if (state.fetch_and(~bit, std::memory_order_acq_rel) & bit) slot.reset();
    return true;
}

}  // namespace detail

template <class T>
class Sender {
    static_assert(std::is_object_v<T>, "oneshot::channel<T>: T must be an object type");

   public:
    Sender() noexcept = default;
    Sender(Sender&& o) noexcept : inner_(std::exchange(o.inner_, nullptr)) {}
    Sender& operator=(Sender&& o) noexcept {
        if (this != &o) {
            reset();
            inner_ = std::exchange(o.inner_, nullptr);
        }
        return *this;
    }
    ~Sender() { reset(); }

    // Sends `value`; the Sender is spent afterwards. Fails, giving the value back, when the
    // Receiver was dropped or closed. Throws std::logic_error on a spent Sender.
    Result<void, SendError<T>> send(T value) {
        if (!inner_) throw std::logic_error("oneshot::Sender::send on a spent Sender");
        detail::Inner<T>* in = inner_;
        std::construct_at(&in->value, std::move(value));
        in->has_value = true;
        inner_ = nullptr;
        if (detail::Inner<T>::complete(in)) return {};
        T back = std::move(in->value);
        std::destroy_at(&in->value);
        in->has_value = false;
        detail::Inner<T>::release(in, detail::kTxAlive);
        return err(SendError<T>{std::move(back)});
    }

    // True once the Receiver was dropped or closed (or this Sender is spent).
    [[nodiscard]] bool is_closed() const noexcept {
        return !inner_ || (inner_->state.load(std::memory_order_acquire) & detail::kClosed);
    }

    class [[nodiscard]] Closed : public Pollable<Closed> {
       public:
        explicit Closed(Sender& s) noexcept : inner_(s.inner_) {}
        bool poll(Context& cx) noexcept {
            if (!inner_) return true;
            if (!coop::poll_proceed(cx)) return false;
            if (detail::register_task(inner_->state, inner_->tx_task, detail::kTxTaskSet,
                                      detail::kClosed, cx.waker()))
                return true;
            coop::refund();
            return false;
        }
        void await_resume() const noexcept {}

       private:
        detail::Inner<T>* inner_;
    };
    // Completes when the Receiver is dropped or closed. The Sender must outlive the await.
    [[nodiscard]] Closed closed() noexcept { return Closed(*this); }

    [[nodiscard]] bool valid() const noexcept { return inner_ != nullptr; }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>();
    explicit Sender(detail::Inner<T>* in) noexcept : inner_(in) {}
    void reset() noexcept {
        if (detail::Inner<T>* in = std::exchange(inner_, nullptr))
            (void)detail::Inner<T>::complete(in);
    }
    detail::Inner<T>* inner_ = nullptr;
};

template <class T>
class [[nodiscard]] Receiver : public Pollable<Receiver<T>> {
   public:
    Receiver() noexcept = default;
    Receiver(Receiver&& o) noexcept : inner_(std::exchange(o.inner_, nullptr)) {}
    Receiver& operator=(Receiver&& o) noexcept {
        if (this != &o) {
            reset();
            inner_ = std::exchange(o.inner_, nullptr);
        }
        return *this;
    }
    ~Receiver() { reset(); }

    // Ready once a value was sent, the Sender was dropped, or this Receiver was closed.
    bool poll(Context& cx) noexcept {
        if (!inner_) return true;
        if (!coop::poll_proceed(cx)) return false;
        if (detail::register_task(inner_->state, inner_->rx_task, detail::kRxTaskSet,
                                  detail::kValueSent | detail::kClosed, cx.waker()))
            return true;
        coop::refund();
        return false;
    }
    // The value, or RecvError if the Sender was dropped (or the Receiver closed) without one.
    // Spends the Receiver. Throws std::logic_error if it was already spent.
    Result<T, RecvError> await_resume() {
        if (!inner_) throw std::logic_error("oneshot::Receiver awaited after it completed");
        return take(inner_->state.load(std::memory_order_acquire), RecvError{});
    }

    // Awaiting, for a thread outside the runtime: blocks it until a value is sent or the Sender
    // is gone, then gives what co_await would. Throws std::logic_error on a runtime thread (a
    // task, block_on, a worker; see sync/detail/blocking_wait.hpp) and if already spent.
    Result<T, RecvError> blocking_recv() {
        if (!inner_) throw std::logic_error("oneshot::Receiver::blocking_recv after it completed");
        return sync::detail::blocking_wait(*this, "oneshot::Receiver::blocking_recv");
    }

    // The value if one was sent; Empty while the Sender may still send; Closed otherwise.
    Result<T, TryRecvError> try_recv() {
        if (!inner_) return err(TryRecvError{TryRecvError::Kind::closed});
        std::uint32_t s = inner_->state.load(std::memory_order_acquire);
        if (!(s & (detail::kValueSent | detail::kClosed)))
            return err(TryRecvError{TryRecvError::Kind::empty});
        return take(s, TryRecvError{TryRecvError::Kind::closed});
    }

    // Makes every later send fail. A value sent before can still be taken with try_recv().
    void close() noexcept {
        if (inner_) detail::Inner<T>::close(inner_, false);
    }

    [[nodiscard]] bool valid() const noexcept { return inner_ != nullptr; }
    // True once this Receiver gave its result (awaited to the end, or try_recv() gave a value or
    // Closed): it must not be awaited again (Tokio's is_terminated). Also true for an empty one.
    [[nodiscard]] bool is_terminated() const noexcept { return inner_ == nullptr; }
    // True when there is no value to take now: nothing sent yet, the Sender dropped without one,
    // or this Receiver is terminated (Tokio's is_empty). False exactly when a value waits.
    [[nodiscard]] bool is_empty() const noexcept {
        if (!inner_) return true;
        // has_value is written before VALUE_SENT is published (acquire pairs with complete()).
        return !(inner_->state.load(std::memory_order_acquire) & detail::kValueSent) ||
               !inner_->has_value;
    }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>();
    explicit Receiver(detail::Inner<T>* in) noexcept : inner_(in) {}

    template <class E>
    Result<T, E> take(std::uint32_t s, E error) {
        detail::Inner<T>* in = std::exchange(inner_, nullptr);
        if ((s & detail::kValueSent) && in->has_value) {
            Result<T, E> r(std::move(in->value));
            std::destroy_at(&in->value);
            in->has_value = false;
            detail::Inner<T>::close(in, true);
            return r;
        }
        detail::Inner<T>::close(in, true);
        return err(std::move(error));
    }
    void reset() noexcept {
        if (detail::Inner<T>* in = std::exchange(inner_, nullptr))
            detail::Inner<T>::close(in, true);
    }
    detail::Inner<T>* inner_ = nullptr;
};

template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel() {
    auto in = std::make_unique<detail::Inner<T>>();
    detail::Inner<T>* p = in.release();
    return {Sender<T>(p), Receiver<T>(p)};
}

}  // namespace weft::sync::oneshot
