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
// Receiver: recv(), try_recv(), close() (later sends fail; buffered messages, and messages of
// senders that already hold capacity, are still received).
//
// Errors: send() -> SendError (receiver closed or dropped; the message comes back); try_send() ->
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
// Cancellation safety: recv() is cancellation safe (a dropped recv loses no message). send() is
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

#include "runtime/sync/error.hpp"
#include "runtime/sync/mpsc/chan.hpp"
#include "runtime/sync/result.hpp"

namespace weft::sync::mpsc {

template <class T>
class Sender;
template <class T>
class Receiver;
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
    explicit Permit(detail::Chan<T, true>* chan) noexcept : chan_(chan) {}
    void reset() noexcept {
        if (auto* chan = std::exchange(chan_, nullptr)) chan->return_permit();
    }
    detail::Chan<T, true>* chan_;
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
            if (state_ != State::Waiting) return true;
            if (!coop::poll_proceed(cx)) return false;
            switch (op_.poll(cx.waker())) {
                case Acquire::Poll::Pending:
                    coop::refund();
                    return false;
                case Acquire::Poll::Closed:
                    state_ = State::Closed;
                    return true;
                case Acquire::Poll::Ready:
                    break;
            }
            op_.take();
            (void)chan_->push(*value_);  // bounded lists only close when every sender is gone
            value_.reset();
            state_ = State::Sent;
            return true;
        }
        Result<void, SendError<T>> await_resume() {
            if (state_ == State::Sent) return {};
            return err(SendError<T>{std::move(*value_)});
        }

       private:
        friend class Sender;
        enum class State { Waiting, Sent, Closed };
        Send(Chan* chan, T&& value)
            : chan_(chan), op_(chan->capacity().sem, 1), value_(std::move(value)) {}
        Chan* chan_;
        Acquire op_;
        std::optional<T> value_;
        State state_ = State::Waiting;
    };
    // Waits for capacity, then sends. Fails (giving `value` back) once the receiver is closed.
    [[nodiscard]] Send send(T value) { return Send(chan(), std::move(value)); }

    // Sends only if capacity is free now.
    Result<void, TrySendError<T>> try_send(T value) {
        using Kind = typename TrySendError<T>::Kind;
        switch (chan()->capacity().sem.try_acquire(1)) {
            case sync::detail::BatchSemaphore::TryResult::Ok:
                break;
            case sync::detail::BatchSemaphore::TryResult::NoPermits:
                return err(TrySendError<T>{Kind::Full, std::move(value)});
            case sync::detail::BatchSemaphore::TryResult::Closed:
                return err(TrySendError<T>{Kind::Closed, std::move(value)});
        }
        (void)chan_->push(value);
        return {};
    }

    class [[nodiscard]] Reserve : public Pollable<Reserve> {
       public:
        bool poll(Context& cx) noexcept {
            if (state_ != State::Waiting) return true;
            if (!coop::poll_proceed(cx)) return false;
            switch (op_.poll(cx.waker())) {
                case Acquire::Poll::Pending:
                    coop::refund();
                    return false;
                case Acquire::Poll::Closed:
                    state_ = State::Closed;
                    return true;
                case Acquire::Poll::Ready:
                    state_ = State::Reserved;
                    return true;
            }
            return true;
        }
        Result<Permit<T>, ClosedError> await_resume() {
            if (state_ != State::Reserved) return err(ClosedError{});
            op_.take();
            state_ = State::Taken;
            return Permit<T>(chan_);
        }

       private:
        friend class Sender;
        enum class State { Waiting, Reserved, Taken, Closed };
        explicit Reserve(Chan* chan) noexcept : chan_(chan), op_(chan->capacity().sem, 1) {}
        Chan* chan_;
        Acquire op_;
        State state_ = State::Waiting;
    };
    // Waits for capacity and holds it in a Permit. Fails once the receiver is closed.
    [[nodiscard]] Reserve reserve() { return Reserve(chan()); }

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
            case Chan::Pop::Value:
                return std::move(*out);
            case Chan::Pop::Empty:
                return err(TryRecvError{TryRecvError::Kind::Empty});
            case Chan::Pop::Closed:
                break;
        }
        return err(TryRecvError{TryRecvError::Kind::Disconnected});
    }
    // Later sends fail; buffered messages can still be received.
    void close() { chan()->close_rx(); }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    explicit Receiver(Chan* chan) noexcept : chan_(chan) {}
    Chan* chan() const {
        if (!chan_) throw std::logic_error("mpsc::Receiver used after it was moved from");
        return chan_;
    }
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
