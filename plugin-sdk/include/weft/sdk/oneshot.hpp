// weft::oneshot: one value, sent once, from one task (or thread) to one task (Tokio's
// tokio::sync::oneshot).
//
//   auto [tx, rx] = weft::oneshot::channel<int>();
//   spawn(compute(std::move(tx)));          // compute calls tx.send(42)
//   if (auto v = co_await rx) use(*v);       // empty: the sender was dropped without sending
//
// Sender<T>:
//   send(v)      delivers v; returns false (and drops v) when the receiver is gone or closed, as
//                Tokio's send gives the value back in Err. Consumes the sender (once).
//   is_closed()  the receiver is gone or closed: nobody will read a value.
//   closed()     awaitable: completes when that happens (to stop computing an unwanted answer).
//   Dropping a sender that did not send closes the channel: the receiver gets an empty optional.
// Receiver<T>:
//   co_await rx  std::optional<T>: the value, or empty when the sender was dropped without
//                sending (Tokio's RecvError). Cancel-safe: a value arriving while nobody awaits
//                stays for the next await. After it gave a value it gives empty optionals.
//   try_recv()   the value if it is there; empty if not yet; throws Error(WEFT_ERR_CLOSED) when
//                it never will be (sender dropped, or the value was taken already).
//   close()      refuses the value from now on (send returns false); a value sent before stays
//                readable. is_terminated(): the value was taken, or it never will come.
//                is_empty(): no value waits now.
// Ownership: each end owns a share of the channel; either may be moved to another task or
// thread. Thread-safety: each end is used by one task or thread at a time; the two ends from
// any two threads. Errors besides the above: awaiting throws Error(WEFT_ERR_NO_MEMORY) if the
// host cannot give a waker.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace oneshot {
namespace detail {

template <class T>
struct Shared {
    Shared() = default;
    Shared(const Shared&) = delete;
    Shared& operator=(const Shared&) = delete;
    ~Shared() {
        weft_waker_drop(rx_waker);
        weft_waker_drop(tx_waker);
    }

    std::mutex mutex;
    std::optional<T> value;
    bool sender_done = false;        // sent, or dropped without sending
    bool receiver_done = false;      // dropped or closed
    bool taken = false;              // the receiver got the value
    weft_waker* rx_waker = nullptr;  // the receiving task, while it waits
    weft_waker* tx_waker = nullptr;  // the sending task, while it waits in closed()
};

}  // namespace detail

template <class T>
class Sender {
   public:
    explicit Sender(std::shared_ptr<detail::Shared<T>> shared) noexcept
        : shared_(std::move(shared)) {}
    Sender(Sender&&) noexcept = default;
    Sender& operator=(Sender&& other) noexcept {
        if (this != &other) {
            finish();
            shared_ = std::move(other.shared_);
        }
        return *this;
    }
    ~Sender() { finish(); }

    bool send(T value) {
        if (!shared_) return false;
        auto shared = std::move(shared_);
        const std::lock_guard lock(shared->mutex);
        shared->sender_done = true;
        if (shared->receiver_done) return false;
        shared->value.emplace(std::move(value));
        weft_waker_wake(std::exchange(shared->rx_waker, nullptr));
        return true;
    }
    [[nodiscard]] bool is_closed() const noexcept {
        if (!shared_) return true;
        const std::lock_guard lock(shared_->mutex);
        return shared_->receiver_done;
    }

    class [[nodiscard]] Closed : public Awaitable<Closed> {
       public:
        explicit Closed(std::shared_ptr<detail::Shared<T>> shared) noexcept
            : shared_(std::move(shared)) {}
        weft_status poll(weft_context* cx) noexcept {
            if (!shared_) return WEFT_OK;
            const std::lock_guard lock(shared_->mutex);
            if (shared_->receiver_done) return WEFT_OK;
            if (!shared_->tx_waker) {
                const weft_status s = weft_context_waker(cx, &shared_->tx_waker);
                if (s != WEFT_OK) return s;
            }
            return WEFT_PENDING;
        }
        void await_resume() const {
            if (this->status_ != WEFT_OK) throw Error(this->status_, "weft::oneshot closed()");
        }

       private:
        std::shared_ptr<detail::Shared<T>> shared_;
    };
    [[nodiscard]] Closed closed() const { return Closed(shared_); }

   private:
    void finish() noexcept {
        if (!shared_) return;
        auto shared = std::move(shared_);
        const std::lock_guard lock(shared->mutex);
        shared->sender_done = true;
        weft_waker_wake(std::exchange(shared->rx_waker, nullptr));
    }
    std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
class Receiver : public Awaitable<Receiver<T>> {
   public:
    explicit Receiver(std::shared_ptr<detail::Shared<T>> shared) noexcept
        : shared_(std::move(shared)) {}
    Receiver(Receiver&& other) noexcept
        : Awaitable<Receiver<T>>(other), shared_(std::move(other.shared_)) {}
    Receiver& operator=(Receiver&&) = delete;
    ~Receiver() {
        if (shared_) close_shared(/*dropping=*/true);
    }

    weft_status poll(weft_context* cx) noexcept {
        if (!shared_) return WEFT_OK;
        const std::lock_guard lock(shared_->mutex);
        if (shared_->value || shared_->sender_done || shared_->taken) return WEFT_OK;
        weft_waker_drop(shared_->rx_waker);  // the latest awaiting task is the one to wake
        shared_->rx_waker = nullptr;
        return weft_context_waker(cx, &shared_->rx_waker) == WEFT_OK ? WEFT_PENDING
                                                                     : WEFT_ERR_NO_MEMORY;
    }
    std::optional<T> await_resume() {
        if (this->status_ != WEFT_OK) throw Error(this->status_, "weft::oneshot receive");
        return take();
    }

    [[nodiscard]] std::optional<T> try_recv() {
        if (!shared_) throw Error(WEFT_ERR_CLOSED, "weft::oneshot try_recv: no channel");
        {
            const std::lock_guard lock(shared_->mutex);
            if (!shared_->value && !shared_->sender_done && !shared_->taken) return std::nullopt;
        }
        auto v = take();
        if (!v) throw Error(WEFT_ERR_CLOSED, "weft::oneshot try_recv: the value will never come");
        return v;
    }
    void close() noexcept {
        if (shared_) close_shared(false);
    }
    [[nodiscard]] bool is_terminated() const noexcept {
        if (!shared_) return true;
        const std::lock_guard lock(shared_->mutex);
        return shared_->taken || (shared_->sender_done && !shared_->value);
    }
    [[nodiscard]] bool is_empty() const noexcept {
        if (!shared_) return true;
        const std::lock_guard lock(shared_->mutex);
        return !shared_->value;
    }

   private:
    std::optional<T> take() {
        if (!shared_) return std::nullopt;
        const std::lock_guard lock(shared_->mutex);
        if (!shared_->value) return std::nullopt;
        shared_->taken = true;
        return std::exchange(shared_->value, std::nullopt);
    }
    void close_shared(bool dropping) noexcept {
        const std::lock_guard lock(shared_->mutex);
        shared_->receiver_done = true;
        if (dropping) weft_waker_drop(std::exchange(shared_->rx_waker, nullptr));
        weft_waker_wake(std::exchange(shared_->tx_waker, nullptr));
    }
    std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel() {
    auto shared = std::make_shared<detail::Shared<T>>();
    return {Sender<T>(shared), Receiver<T>(shared)};
}

}  // namespace oneshot
}  // namespace sdk
}  // namespace weft
