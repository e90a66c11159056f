// mpsc::unbounded_channel<T>(): a multi-producer, single-consumer queue without a bound (Tokio's
// `sync::mpsc::unbounded_channel`). send() never waits; memory grows with the backlog.
//
//     auto [tx, rx] = weft::sync::mpsc::unbounded_channel<Event>();
//     tx.send(ev);                              // Result<void, SendError<Event>>
//     while (auto ev = co_await rx.recv()) {}
//
// UnboundedSender is copyable; the channel ends for the receiver once the last copy is dropped
// (after every buffered message). Receiver close() or drop makes later sends fail, returning the
// message; a send that raced with close() either fails or is received, never lost silently.
//
// The receiver also has recv_many(buffer, limit), len(), is_empty(), is_closed() and
// blocking_recv() (for a thread outside the runtime); a sender's
// downgrade() gives a WeakUnboundedSender, which does not keep the channel open and whose
// upgrade() works while any UnboundedSender lives (all as mpsc::channel's, bounded.hpp).
//
// Errors: send() -> SendError (receiver closed or dropped; the message comes back); try_recv() ->
// TryRecvError Empty or Disconnected. Using a moved-from handle throws std::logic_error.
//
// Thread-safety, cancellation safety and coop: as mpsc::channel (bounded.hpp). send() spends no
// budget (it never waits, as Tokio's).
//
// Cost: send is one fetch_add to claim a slot and one fetch_or to publish it, plus one load to
// see whether the receiver sleeps; recv reads the slot with no read-modify-write at all. Tokio
// also counts messages in an atomic (a CAS per send and a fetch_sub per recv) and wakes the
// receiver's waker through a read-modify-write on every send; weft knows the end of the stream from
// the index at which the list was closed instead.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "runtime/sync/detail/blocking_wait.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/mpsc/chan.hpp"
#include "runtime/sync/result.hpp"

namespace weft::sync::mpsc {

template <class T>
class UnboundedSender;
template <class T>
class UnboundedReceiver;
template <class T>
class WeakUnboundedSender;
template <class T>
std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel();

template <class T>
class UnboundedSender {
    using Chan = detail::Chan<T, false>;

   public:
    UnboundedSender(const UnboundedSender& o) noexcept : chan_(o.chan_) {
        if (chan_) chan_->add_sender();
    }
    UnboundedSender(UnboundedSender&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    UnboundedSender& operator=(UnboundedSender o) noexcept {
        std::swap(chan_, o.chan_);
        return *this;
    }
    ~UnboundedSender() {
        if (chan_) chan_->drop_sender();
    }

    // Sends without waiting. Fails, giving `value` back, once the receiver closed or was dropped.
    Result<void, SendError<T>> send(T value) {
        if (chan()->push(value)) return {};
        return err(SendError<T>{std::move(value)});
    }
    [[nodiscard]] bool is_closed() const { return chan()->is_rx_closed(); }
    [[nodiscard]] detail::Closed<T, false> closed() { return detail::Closed<T, false>(chan()); }
    [[nodiscard]] bool same_channel(const UnboundedSender& o) const noexcept {
        return chan_ == o.chan_;
    }
    // A WeakUnboundedSender of this channel: it does not keep the channel open.
    [[nodiscard]] WeakUnboundedSender<T> downgrade() const {
        return WeakUnboundedSender<T>(chan());
    }
    [[nodiscard]] std::size_t strong_count() const { return chan()->sender_count(); }

   private:
    friend std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel<T>();
    friend class WeakUnboundedSender<T>;
    explicit UnboundedSender(Chan* chan) noexcept : chan_(chan) {}
    Chan* chan() const {
        if (!chan_) throw std::logic_error("mpsc::UnboundedSender used after it was moved from");
        return chan_;
    }
    Chan* chan_;
};

template <class T>
class UnboundedReceiver {
    using Chan = detail::Chan<T, false>;

   public:
    UnboundedReceiver(UnboundedReceiver&& o) noexcept : chan_(std::exchange(o.chan_, nullptr)) {}
    UnboundedReceiver& operator=(UnboundedReceiver&& o) noexcept {
        if (this != &o) {
            if (chan_) chan_->drop_receiver();
            chan_ = std::exchange(o.chan_, nullptr);
        }
        return *this;
    }
    ~UnboundedReceiver() {
        if (chan_) chan_->drop_receiver();
    }

    using Recv = detail::Recv<T, false>;
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
    // recv() for a thread outside the runtime (see Receiver::blocking_recv).
    std::optional<T> blocking_recv() {
        auto op = recv();
        return sync::detail::blocking_wait(op, "mpsc::UnboundedReceiver::blocking_recv");
    }
    using RecvMany = detail::RecvMany<T, false>;
    // As Receiver::recv_many: waits for a message, then appends up to `limit`; 0 = ended.
    [[nodiscard]] RecvMany recv_many(std::vector<T>& buffer, std::size_t limit) {
        return RecvMany(chan(), buffer, limit);
    }
    void close() { chan()->close_rx(); }
    // As Receiver's: closed by close() or by the last UnboundedSender going.
    [[nodiscard]] bool is_closed() const { return chan()->is_closed_for_rx(); }
    [[nodiscard]] std::size_t len() const { return chan()->len(); }
    [[nodiscard]] bool is_empty() const { return len() == 0; }

   private:
    friend std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel<T>();
    explicit UnboundedReceiver(Chan* chan) noexcept : chan_(chan) {}
    Chan* chan() const {
        if (!chan_) throw std::logic_error("mpsc::UnboundedReceiver used after it was moved from");
        return chan_;
    }
    Chan* chan_;
};

// As WeakSender, for an unbounded channel.
template <class T>
class WeakUnboundedSender {
    using Chan = detail::Chan<T, false>;

   public:
    WeakUnboundedSender(const WeakUnboundedSender& o) noexcept : chan_(o.chan_) {
        if (chan_) chan_->add_ref();
    }
    WeakUnboundedSender(WeakUnboundedSender&& o) noexcept
        : chan_(std::exchange(o.chan_, nullptr)) {}
    WeakUnboundedSender& operator=(WeakUnboundedSender o) noexcept {
        std::swap(chan_, o.chan_);
        return *this;
    }
    ~WeakUnboundedSender() {
        if (chan_) chan_->release_ref();
    }
    [[nodiscard]] std::optional<UnboundedSender<T>> upgrade() const {
        if (!chan_ || !chan_->try_add_sender()) return std::nullopt;
        return UnboundedSender<T>(chan_);
    }
    [[nodiscard]] std::size_t strong_count() const noexcept {
        return chan_ ? chan_->sender_count() : 0;
    }

   private:
    friend class UnboundedSender<T>;
    explicit WeakUnboundedSender(Chan* chan) noexcept : chan_(chan) { chan_->add_ref(); }
    Chan* chan_;
};

template <class T>
[[nodiscard]] std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel() {
    auto* chan = detail::Chan<T, false>::create(0);
    return {UnboundedSender<T>(chan), UnboundedReceiver<T>(chan)};
}

}  // namespace weft::sync::mpsc
