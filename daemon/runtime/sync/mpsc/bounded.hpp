// mpsc::channel<T>(capacity): a bounded multi-producer, single-consumer queue (Tokio's
// `sync::mpsc::channel`).
//
//     auto [tx, rx] = weft::sync::mpsc::channel<Job>(1024);
//     co_await tx.send(job);                   // waits for capacity; Result<void, SendError<Job>>
//     while (auto job = co_await rx.recv()) {} // std::optional<Job>: nullopt = closed and empty
//
// Senders: Sender is copyable; the channel is closed for the receiver when the last copy is
// dropped (the receiver still gets every buffered message, then nullopt). send() waits for
// capacity, waiting senders are served in FIFO order; try_send() never waits (TrySendError Full
// or Closed, with the message); reserve() waits for capacity and gives a Permit that sends
// without waiting (dropping it unused gives the capacity back). is_closed() / closed() tell when
// the receiver closed or was dropped: sends fail from then on (the message comes back).
// send_timeout(value, d) waits for capacity at most `d`. reserve_many(n) / try_reserve_many(n)
// take capacity for n messages at once and give a PermitIterator of n Permits (n above
// max_capacity() can never be granted: reserve_many fails at once with ClosedError and
// try_reserve_many with Full, as Tokio's). downgrade() gives a WeakSender, which does not keep
// the channel open; its upgrade() gives a Sender back while any Sender lives, else nullopt.
// Threads outside the runtime: blocking_send() and blocking_recv() block the calling thread
// instead of awaiting, and throw std::logic_error on a runtime thread (a task, block_on, a
// worker), as Tokio's panic.
// Receiver: recv(), try_recv(), recv_many(buffer, limit) (waits for at least one message, then
// appends every ready one up to `limit`; 0 means closed and drained), close() (later sends fail;
// buffered messages, and messages of senders that already hold capacity, are still received),
// len() / is_empty() (messages sent and not yet received), is_closed() (the receiver closed or
// every Sender is gone; messages may still be buffered).
//
// Errors: send() -> SendError (receiver closed or dropped; the message comes back);
// send_timeout() -> SendTimeoutError Timeout or Closed (with the message); try_send() ->
// TrySendError Full or Closed (with the message); reserve() -> ClosedError; try_recv() ->
// TryRecvError Empty or Disconnected (closed and drained). channel() throws
// std::invalid_argument for a zero or too large capacity; using a moved-from handle or a spent
// Permit throws std::logic_error.
//
// Ordering: messages of one sender arrive in the order it sent them.
//
// Thread-safety: senders may be used from any thread concurrently (each copy by one thread at a
// time); the Receiver by one thread at a time. The Receiver must outlive its recv() awaits and a
// Sender its send()/reserve()/closed() awaits and its Permits.
//
// Cancellation safety: recv() and recv_many() are cancellation safe (a dropped one loses no
// message). send() and send_timeout() are
// cancellation safe as Tokio's: if the await is dropped, the message was not sent (it is destroyed
// with the awaitable) and the place in line is lost. reserve() and closed() are cancellation safe.
//
// Coop: each poll of send/reserve/recv/closed spends one budget unit; try_* spend none.
//
// Cost: a send with capacity free is one CAS on the semaphore, one fetch_add to claim a slot, one
// fetch_or to publish it, and a load to see whether the receiver sleeps; a recv reads the slot and
// gives the capacity back with one CAS (no lock unless senders wait). Blocks of 64 slots are
// reused. Differences from Tokio: Tokio's receiver takes the semaphore's mutex for every message
// and wakes its own waker through a read-modify-write on every send.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/sync/detail/blocking_wait.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/mpsc/chan.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::sync::mpsc {

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
class WeakSender;
template <class T>
class PermitIterator;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity);

// Capacity reserved for one message; send() uses it, dropping it unused gives it back.
// Must not outlive the Sender it came from.
template <class T>
class [[nodiscard]] Permit {
   public:
    Permit(Permit&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
        if (this != &o) {
            reset();
            chan_ = std::exchange(o.chan_, nullptr);
        }
        return *this;
    }
    ~Permit() { reset(); }

    // Sends without waiting and spends the permit. Never fails: if the receiver is gone the
    // message is destroyed with the channel, as Tokio's.
    void send(T value) {
        if (!chan_) throw std::logic_error("mpsc::Permit::send on a spent Permit");
        auto* chan = std::exchange(chan_, nullptr);
        (void)chan->push(value);
    }

   private:
    friend class Sender<T>;
    friend class PermitIterator<T>;
    explicit Permit(detail::Chan<T, true>* chan) noexcept : chan_(chan) {}
    void reset() noexcept {
        if (auto* chan = std::exchange(chan_, nullptr)) chan->return_permit();
    }
    detail::Chan<T, true>* chan_;
};

// Capacity reserved for several messages (reserve_many, try_reserve_many): next() hands it out
// one Permit at a time; what is left is given back when the PermitIterator is destroyed.
// Must not outlive the Sender it came from.
template <class T>
class [[nodiscard]] PermitIterator {
   public:
    PermitIterator(PermitIterator&& o) noexcept
        : chan_(std::exchange(o.chan_, nullptr)), left_(std::exchange(o.left_, 0)) {}
    PermitIterator& operator=(PermitIterator&& o) noexcept {
        if (this != &o) {
            reset();
            chan_ = std::exchange(o.chan_, nullptr);
            left_ = std::exchange(o.left_, 0);
        }
        return *this;
    }
    ~PermitIterator() { reset(); }

    // The next Permit, or nullopt once all were handed out.
    [[nodiscard]] std::optional<Permit<T>> next() noexcept {
        if (left_ == 0) return std::nullopt;
        --left_;
        return Permit<T>(chan_);
    }
    // Permits not handed out yet.
    [[nodiscard]] std::size_t len() const noexcept { return left_; }

   private:
    friend class Sender<T>;
    PermitIterator(detail::Chan<T, true>* chan, std::size_t n) noexcept : chan_(chan), left_(n) {}
    void reset() noexcept {
        if (chan_ && left_ > 0) chan_->return_permits(std::exchange(left_, 0));
        chan_ = nullptr;
    }
    detail::Chan<T, true>* chan_;
    std::size_t left_;
};

template <class T>
class Sender {
    using Chan = detail::Chan<T, true>;
    using Acquire = sync::detail::BatchSemaphore::Acquire;

   public:
    Sender(const Sender& o) noexcept : chan_(o.chan_) {
        if (chan_) chan_->add_sender();
    }
    Sender(Sender&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    Sender& operator=(Sender o) noexcept {
        std::swap(chan_, o.chan_);
        return *this;
    }
    ~Sender() {
        if (chan_) chan_->drop_sender();
    }

    class [[nodiscard]] Send : public Pollable<Send> {
       public:
        bool poll(Context& cx) {
            if (state_ != State::waiting) return true;
            if (!coop::poll_proceed(cx)) return false;
            switch (op_.poll(cx.waker())) {
                case Acquire::Poll::pending:
                    coop::refund();
                    return false;
                case Acquire::Poll::closed:
                    state_ = State::closed;
                    return true;
                case Acquire::Poll::ready:
                    break;
            }
            op_.take();
            (void)chan_->push(*value_);  // bounded lists only close when every sender is gone
            value_.reset();
            state_ = State::sent;
            return true;
        }
        Result<void, SendError<T>> await_resume() {
            if (state_ == State::sent) return {};
            return err(SendError<T>{std::move(*value_)});
        }

       private:
        friend class Sender;
        enum class State { waiting, sent, closed };
        Send(Chan* chan, T&& value)
            : chan_(chan), op_(chan->capacity().sem, 1), value_(std::move(value)) {}
        Chan* chan_;
        Acquire op_;
        std::optional<T> value_;
        State state_ = State::waiting;
    };
    // Waits for capacity, then sends. Fails (giving `value` back) once the receiver is closed.
    [[nodiscard]] Send send(T value) { return Send(chan(), std::move(value)); }

    // send() for a thread outside the runtime: blocks it until there is capacity. Throws
    // std::logic_error on a runtime thread (see sync/detail/blocking_wait.hpp).
    Result<void, SendError<T>> blocking_send(T value) {
        auto op = send(std::move(value));
        return sync::detail::blocking_wait(op, "mpsc::Sender::blocking_send");
    }

    // Sends only if capacity is free now.
    Result<void, TrySendError<T>> try_send(T value) {
        using Kind = typename TrySendError<T>::Kind;
        switch (chan()->capacity().sem.try_acquire(1)) {
            case sync::detail::BatchSemaphore::TryResult::ok:
                break;
            case sync::detail::BatchSemaphore::TryResult::no_permits:
                return err(TrySendError<T>{Kind::full, std::move(value)});
            case sync::detail::BatchSemaphore::TryResult::closed:
                return err(TrySendError<T>{Kind::closed, std::move(value)});
        }
        (void)chan_->push(value);
        return {};
    }

    class [[nodiscard]] Reserve : public Pollable<Reserve> {
       public:
        bool poll(Context& cx) noexcept {
            if (state_ != State::waiting) return true;
            if (!coop::poll_proceed(cx)) return false;
            switch (op_.poll(cx.waker())) {
                case Acquire::Poll::pending:
                    coop::refund();
                    return false;
                case Acquire::Poll::closed:
                    state_ = State::closed;
                    return true;
                case Acquire::Poll::ready:
                    state_ = State::reserved;
                    return true;
            }
            return true;
        }
        Result<Permit<T>, ClosedError> await_resume() {
            if (state_ != State::reserved) return err(ClosedError{});
            op_.take();
            state_ = State::taken;
            return Permit<T>(chan_);
        }

       private:
        friend class Sender;
        friend class ReserveMany;
        enum class State { waiting, reserved, taken, closed };
        Reserve(Chan* chan, std::size_t n) noexcept : chan_(chan), op_(chan->capacity().sem, n) {}
        Chan* chan_;
        Acquire op_;
        State state_ = State::waiting;
    };
    // Waits for capacity and holds it in a Permit. Fails once the receiver is closed.
    [[nodiscard]] Reserve reserve() { return Reserve(chan(), 1); }

    class [[nodiscard]] ReserveMany : public Pollable<ReserveMany> {
       public:
        bool poll(Context& cx) noexcept { return too_many_ || inner_.poll(cx); }
        Result<PermitIterator<T>, ClosedError> await_resume() {
            if (too_many_ || inner_.state_ != Reserve::State::reserved) return err(ClosedError{});
            inner_.op_.take();
            inner_.state_ = Reserve::State::taken;
            return PermitIterator<T>(inner_.chan_, inner_.op_.permits());
        }

       private:
        friend class Sender;
        ReserveMany(Chan* chan, std::size_t n) noexcept
            : inner_(chan, n > chan->capacity().bound ? 0 : n),
              too_many_(n > chan->capacity().bound) {}
        Reserve inner_;
        bool too_many_;
    };
    // Waits for capacity for `n` messages at once (FIFO with the other waiting senders) and holds
    // it in a PermitIterator. Fails once the receiver is closed, and at once for n above
    // max_capacity(). n = 0 gives an empty PermitIterator.
    [[nodiscard]] ReserveMany reserve_many(std::size_t n) { return ReserveMany(chan(), n); }
    // The same without waiting: Full when the capacity is not free now (or n > max_capacity()).
    [[nodiscard]] Result<PermitIterator<T>, TrySendError<std::monostate>> try_reserve_many(
        std::size_t n) {
        using Kind = typename TrySendError<std::monostate>::Kind;
        if (n > chan()->capacity().bound) return err(TrySendError<std::monostate>{Kind::full, {}});
        switch (chan_->capacity().sem.try_acquire(n)) {
            case sync::detail::BatchSemaphore::TryResult::ok:
                break;
            case sync::detail::BatchSemaphore::TryResult::no_permits:
                return err(TrySendError<std::monostate>{Kind::full, {}});
            case sync::detail::BatchSemaphore::TryResult::closed:
                return err(TrySendError<std::monostate>{Kind::closed, {}});
        }
        return PermitIterator<T>(chan_, n);
    }

    class [[nodiscard]] SendTimeout : public Pollable<SendTimeout> {
       public:
        bool poll(Context& cx) {
            if (timed_out_ || op_.poll(cx)) return true;
            // The timer starts at the first poll that finds no capacity, as time::timeout's.
            if (!sleep_) sleep_.emplace(time::sleep(timeout_));
            timed_out_ = sleep_->poll(cx);
            return timed_out_;
        }
        Result<void, SendTimeoutError<T>> await_resume() {
            using Kind = typename SendTimeoutError<T>::Kind;
            if (timed_out_) return err(SendTimeoutError<T>{Kind::timeout, std::move(*op_.value_)});
            if (op_.state_ == Send::State::sent) return {};
            return err(SendTimeoutError<T>{Kind::closed, std::move(*op_.value_)});
        }

       private:
        friend class Sender;
        SendTimeout(Chan* chan, T&& value, time::Duration timeout)
            : op_(chan, std::move(value)), timeout_(timeout) {}
        Send op_;
        time::Duration timeout_;
        std::optional<time::Sleep> sleep_;
        bool timed_out_ = false;
    };
    // Waits at most `timeout` for capacity, then sends. Fails with Timeout or Closed, giving
    // `value` back. Cancellation safe as send().
    [[nodiscard]] SendTimeout send_timeout(T value, time::Duration timeout) {
        return SendTimeout(chan(), std::move(value), timeout);
    }

    // A WeakSender of this channel: it does not keep the channel open.
    [[nodiscard]] WeakSender<T> downgrade() const { return WeakSender<T>(chan()); }
    // Senders alive (WeakSenders not counted).
    [[nodiscard]] std::size_t strong_count() const { return chan()->sender_count(); }

    [[nodiscard]] bool is_closed() const { return chan()->is_rx_closed(); }
    [[nodiscard]] detail::Closed<T, true> closed() { return detail::Closed<T, true>(chan()); }
    // Free capacity now, and the capacity the channel was made with.
    [[nodiscard]] std::size_t capacity() const {
        return chan()->capacity().sem.available_permits();
    }
    [[nodiscard]] std::size_t max_capacity() const { return chan()->capacity().bound; }
    [[nodiscard]] bool same_channel(const Sender& o) const noexcept { return chan_ == o.chan_; }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    friend class WeakSender<T>;
    explicit Sender(Chan* chan) noexcept : chan_(chan) {}
    Chan* chan() const {
        if (!chan_) throw std::logic_error("mpsc::Sender used after it was moved from");
        return chan_;
    }
    Chan* chan_;
};

template <class T>
class Receiver {
    using Chan = detail::Chan<T, true>;

   public:
    Receiver(Receiver&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    Receiver& operator=(Receiver&& o) noexcept {
        if (this != &o) {
            if (chan_) chan_->drop_receiver();
            chan_ = std::exchange(o.chan_, nullptr);
        }
        return *this;
    }
    ~Receiver() {
        if (chan_) chan_->drop_receiver();
    }

    using Recv = detail::Recv<T, true>;
    // The next message; nullopt once every sender is gone (or the receiver closed) and
    // everything buffered was received.
    [[nodiscard]] Recv recv() { return Recv(chan()); }
    Result<T, TryRecvError> try_recv() {
        std::optional<T> out;
        switch (chan()->try_pop(out)) {
            case Chan::Pop::value:
                return std::move(*out);
            case Chan::Pop::empty:
                return err(TryRecvError{TryRecvError::Kind::empty});
            case Chan::Pop::closed:
                break;
        }
        return err(TryRecvError{TryRecvError::Kind::disconnected});
    }
    // recv() for a thread outside the runtime: blocks it until a message comes or the channel
    // ends. Throws std::logic_error on a runtime thread (see sync/detail/blocking_wait.hpp).
    std::optional<T> blocking_recv() {
        auto op = recv();
        return sync::detail::blocking_wait(op, "mpsc::Receiver::blocking_recv");
    }
    using RecvMany = detail::RecvMany<T, true>;
    // Waits for a message, then appends it and every other ready one, up to `limit` in all, to
    // `buffer`; gives how many. 0: the channel is closed and drained, or `limit` is 0.
    [[nodiscard]] RecvMany recv_many(std::vector<T>& buffer, std::size_t limit) {
        return RecvMany(chan(), buffer, limit);
    }
    // Later sends fail; buffered messages can still be received.
    void close() { chan()->close_rx(); }
    // True once close() was called or every Sender is gone (WeakSenders do not count); messages
    // may still be buffered.
    [[nodiscard]] bool is_closed() const { return chan()->is_closed_for_rx(); }
    // Messages sent and not yet received.
    [[nodiscard]] std::size_t len() const { return chan()->len(); }
    [[nodiscard]] bool is_empty() const { return len() == 0; }
    // Free capacity now, and the capacity the channel was made with.
    [[nodiscard]] std::size_t capacity() const {
        return chan()->capacity().sem.available_permits();
    }
    [[nodiscard]] std::size_t max_capacity() const { return chan()->capacity().bound; }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    explicit Receiver(Chan* chan) noexcept : chan_(chan) {}
    Chan* chan() const {
        if (!chan_) throw std::logic_error("mpsc::Receiver used after it was moved from");
        return chan_;
    }
    Chan* chan_;
};

// A Sender that does not count: the channel closes when the last Sender goes, whatever
// WeakSenders remain. Copyable; may be used from any thread.
template <class T>
class WeakSender {
    using Chan = detail::Chan<T, true>;

   public:
    WeakSender(const WeakSender& o) noexcept : chan_(o.chan_) {
        if (chan_) chan_->add_ref();
    }
    WeakSender(WeakSender&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    WeakSender& operator=(WeakSender o) noexcept {
        std::swap(chan_, o.chan_);
        return *this;
    }
    ~WeakSender() {
        if (chan_) chan_->release_ref();
    }
    // A Sender while any Sender lives; nullopt once the last one was dropped (for good: the
    // channel stays closed).
    [[nodiscard]] std::optional<Sender<T>> upgrade() const {
        if (!chan_ || !chan_->try_add_sender()) return std::nullopt;
        return Sender<T>(chan_);
    }
    [[nodiscard]] std::size_t strong_count() const noexcept {
        return chan_ ? chan_->sender_count() : 0;
    }

   private:
    friend class Sender<T>;
    explicit WeakSender(Chan* chan) noexcept : chan_(chan) { chan_->add_ref(); }
    Chan* chan_;
};

// A channel that buffers at most `capacity` messages. Throws std::invalid_argument for 0 (as
// Tokio, which panics) or more than Semaphore's maximum.
template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpsc::channel: capacity must be positive");
    if (capacity > sync::detail::BatchSemaphore::kMaxPermits)
        throw std::invalid_argument("mpsc::channel: capacity too large");
    auto* chan = detail::Chan<T, true>::create(capacity);
    return {Sender<T>(chan), Receiver<T>(chan)};
}

}  // namespace weft::sync::mpsc
