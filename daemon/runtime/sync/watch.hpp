// watch: one value, many readers that are told when it changes (Tokio's `sync::watch`).
//
//     auto [tx, rx] = weft::sync::watch::channel<Config>(initial);
//     tx.send(next);                                      // fails only with no receiver left
//     tx.send_modify([](Config& c) { c.level = 3; });     // in place, always notifies
//     while ((co_await rx.changed()).is_ok()) {
//         auto cfg = rx.borrow_and_update();               // read guard; marks the version seen
//         use(*cfg);
//     }                                                    // error once the Sender is dropped
//
// Versions: every send bumps the channel's version. A Receiver remembers the version it saw:
// channel() starts it at the initial value (seen), subscribe() at the current one, a copy keeps
// its original's. changed() completes at once if an unseen version exists, else waits for the next
// send; it marks the new version seen and fails with RecvError once the Sender is gone and nothing
// unseen is left. has_changed() tells without waiting (RecvError once the Sender is gone).
// borrow() reads without marking; borrow_and_update() marks.
//
// Read guards: borrow() returns a Ref that holds a shared (reader) lock on the value. Never keep a
// Ref across a co_await: senders would block on the lock meanwhile, and on a current_thread runtime
// the sender may be the thread that would have to run the reader again. Copy what you need out.
//
// wait_for(pred) waits until the value satisfies `pred` (the current value is checked first, seen
// or not), marks it seen and gives a Ref to it; RecvError once every Sender is gone and no unseen
// value satisfies it. `pred` runs under the read lock: it must be quick and not await; an
// exception it throws comes out of the co_await. mark_changed() makes the receiver see the
// current version as unseen (has_changed() is true, changed() completes at once);
// mark_unchanged() marks the current version seen.
//
// Senders: Sender is copyable (Tokio's watch::Sender is Clone); sender_count() says how many live.
//
// Closing: dropping the last Sender closes the channel (receivers keep reading the last value);
// dropping every Receiver makes send() fail (the value comes back) and completes Sender::closed().
// send_modify/send_replace still update the value with no receiver, as Tokio's.
//
// Errors: send() -> SendError (no receiver; the value comes back); changed() and has_changed()
// -> RecvError (the Sender is gone; changed() only once nothing unseen is left). Using a
// moved-from handle throws std::logic_error.
//
// Thread-safety: all members may be called from any thread; each handle by one thread at a time.
// A Receiver must outlive its changed() awaits and the Sender its closed() awaits.
// Cancellation safety: changed() and closed() are cancellation safe.
// Coop: each poll of changed()/closed() spends one budget unit, also when it is ready at once (as
// Tokio's `cooperative(changed)`); a poll that stays pending gives it back. borrow(), send() and
// the other non-waiting calls spend none.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/notified_until.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/sync/result.hpp"

namespace weft::sync::watch {

// The Sender was dropped.
struct RecvError {
    [[nodiscard]] static const char* what() noexcept { return "channel closed"; }
};

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(T init);

namespace detail {

// The state word: version << 1 | CLOSED (Tokio's layout: sends add 2).
inline constexpr std::uint64_t kClosed = 1;

template <class T>
struct Shared {
    explicit Shared(T init) : value(std::move(init)) {}
    [[nodiscard]] std::uint64_t version() const noexcept {
        return state.load(std::memory_order_seq_cst) & ~kClosed;
    }

    mutable std::shared_mutex lock;
    T value;
    std::atomic<std::uint64_t> state{0};
    std::atomic<std::size_t> rx_count{1};
    std::atomic<std::size_t> tx_count{1};
    Notify notify_rx;  // a send or the Sender's drop
    Notify notify_tx;  // the last Receiver's drop
};

}  // namespace detail

// A read guard on the value. Do not hold it across a co_await (see the file comment).
template <class T>
class [[nodiscard]] Ref {
   public:
    const T& operator*() const noexcept { return *value_; }
    const T* operator->() const noexcept { return value_; }
    // Whether the value was unseen by the receiver that borrowed it (always false from a Sender).
    [[nodiscard]] bool has_changed() const noexcept { return has_changed_; }

   private:
    friend class Sender<T>;
    friend class Receiver<T>;
    Ref(const detail::Shared<T>& shared, std::uint64_t* seen)
        : lock_(shared.lock), value_(&shared.value) {
        std::uint64_t v = shared.version();
        has_changed_ = seen && *seen != v;
        if (seen) *seen = v;
    }
    Ref(const detail::Shared<T>& shared, std::uint64_t seen)
        : lock_(shared.lock), value_(&shared.value), has_changed_(seen != shared.version()) {}
    // wait_for(): the lock under which the predicate held.
    Ref(std::shared_lock<std::shared_mutex> lock, const T* value, bool has_changed) noexcept
        : lock_(std::move(lock)), value_(value), has_changed_(has_changed) {}
    std::shared_lock<std::shared_mutex> lock_;
    const T* value_;
    bool has_changed_ = false;
};

template <class T>
class Receiver {
   public:
    Receiver(const Receiver& o) noexcept : shared_(o.shared_), seen_(o.seen_) {
        shared_->rx_count.fetch_add(1, std::memory_order_relaxed);
    }
    Receiver(Receiver&& o) noexcept = default;
    Receiver& operator=(Receiver o) noexcept {
        std::swap(shared_, o.shared_);
        std::swap(seen_, o.seen_);
        return *this;
    }
    ~Receiver() {
        if (shared_ && shared_->rx_count.fetch_sub(1, std::memory_order_acq_rel) == 1)
            shared_->notify_tx.notify_waiters();
    }

    // The current value; does not mark it seen.
    [[nodiscard]] Ref<T> borrow() const { return Ref<T>(*shared(), seen_); }
    // The current value, marked seen.
    [[nodiscard]] Ref<T> borrow_and_update() { return Ref<T>(*shared(), &seen_); }
    // Whether a version this receiver has not seen exists; RecvError once the Sender is gone.
    [[nodiscard]] Result<bool, RecvError> has_changed() const {
        std::uint64_t s = shared()->state.load(std::memory_order_seq_cst);
        if (s & detail::kClosed) return err(RecvError{});
        return (s & ~detail::kClosed) != seen_;
    }

    class [[nodiscard]] Changed : public Pollable<Changed> {
       public:
        explicit Changed(Receiver& rx) noexcept : rx_(&rx) {}
        bool poll(Context& cx) noexcept {
            if (result_) return true;
            return until_.poll(cx, rx_->shared_->notify_rx, [this]() noexcept { return check(); });
        }
        Result<void, RecvError> await_resume() noexcept {
            if (*result_) return {};
            return err(RecvError{});
        }

       private:
        bool check() noexcept {
            std::uint64_t s = rx_->shared_->state.load(std::memory_order_seq_cst);
            std::uint64_t v = s & ~detail::kClosed;
            if (v != rx_->seen_) {
                rx_->seen_ = v;
                result_ = true;
            } else if (s & detail::kClosed) {
                result_ = false;
            }
            return result_.has_value();
        }
        Receiver* rx_;
        sync::detail::NotifiedUntil until_;
        std::optional<bool> result_;  // true: changed, false: closed
    };
    // Waits for a version this receiver has not seen, and marks it seen.
    [[nodiscard]] Changed changed() { return Changed(*this); }

    template <class F>
    class [[nodiscard]] WaitFor : public Pollable<WaitFor<F>> {
       public:
        WaitFor(Receiver& rx, F pred) : rx_(&rx), pred_(std::move(pred)) {}
        bool poll(Context& cx) noexcept {
            if (done_) return true;
            auto& shared = *rx_->shared_;
            return until_.poll(cx, shared.notify_rx, [&] {
                const bool closed = shared.state.load(std::memory_order_seq_cst) & detail::kClosed;
                std::shared_lock lock(shared.lock);
                const std::uint64_t v = shared.version();
                const bool has_changed = rx_->seen_ != v;
                rx_->seen_ = v;
                if (!closed || has_changed) {
                    try {
                        if (pred_(static_cast<const T&>(shared.value))) {
                            lock_ = std::move(lock);
                            has_changed_ = has_changed;
                            return done_ = true;
                        }
                    } catch (...) {
                        error_ = std::current_exception();
                        return done_ = true;
                    }
                }
                if (closed) return done_ = true;
                return false;  // the lock goes before the wait
            });
        }
        Result<Ref<T>, RecvError> await_resume() {
            if (error_) std::rethrow_exception(error_);
            if (!lock_.owns_lock()) return err(RecvError{});
            return Ref<T>(std::move(lock_), &rx_->shared_->value, has_changed_);
        }

       private:
        Receiver* rx_;
        F pred_;
        sync::detail::NotifiedUntil until_;
        std::shared_lock<std::shared_mutex> lock_;  // held from a passing check to await_resume
        std::exception_ptr error_;
        bool has_changed_ = false;
        bool done_ = false;
    };
    // Waits until the value satisfies `pred` (bool(const T&)), marks it seen and gives a Ref to
    // it (hold it briefly: see Read guards). RecvError once the Senders are gone and no unseen
    // value satisfies it.
    template <class F>
    [[nodiscard]] WaitFor<std::decay_t<F>> wait_for(F&& pred) {
        (void)shared();
        return WaitFor<std::decay_t<F>>(*this, std::forward<F>(pred));
    }

    // The current version counts as unseen: has_changed() is true, changed() completes at once.
    void mark_changed() noexcept { seen_ = shared_->version() - 2; }
    // The current version counts as seen.
    void mark_unchanged() noexcept { seen_ = shared_->version(); }

    [[nodiscard]] bool same_channel(const Receiver& o) const noexcept {
        return shared_ == o.shared_;
    }

   private:
    friend class Sender<T>;
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(T);
    Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t seen) noexcept
        : shared_(std::move(shared)), seen_(seen) {}
    const std::shared_ptr<detail::Shared<T>>& shared() const {
        if (!shared_) throw std::logic_error("watch::Receiver used after it was moved from");
        return shared_;
    }
    std::shared_ptr<detail::Shared<T>> shared_;
    std::uint64_t seen_;
};

template <class T>
class Sender {
   public:
    Sender(const Sender& o) noexcept : shared_(o.shared_) {
        if (shared_) shared_->tx_count.fetch_add(1, std::memory_order_relaxed);
    }
    Sender(Sender&&) noexcept = default;
    Sender& operator=(const Sender& o) noexcept {
        if (this != &o) {
            close();
            shared_ = o.shared_;
            if (shared_) shared_->tx_count.fetch_add(1, std::memory_order_relaxed);
        }
        return *this;
    }
    Sender& operator=(Sender&& o) noexcept {
        if (this != &o) {
            close();
            shared_ = std::move(o.shared_);
        }
        return *this;
    }
    ~Sender() { close(); }

    // Replaces the value and notifies; fails (giving the value back) when no receiver is left.
    Result<void, SendError<T>> send(T value) {
        if (receiver_count() == 0) return err(SendError<T>{std::move(value)});
        (void)send_replace(std::move(value));
        return {};
    }
    // Modifies the value in place and notifies, with or without receivers. If `modify` throws,
    // the exception propagates and nobody is notified (the value may be partly modified).
    template <class F>
    void send_modify(F&& modify) {
        (void)send_if_modified([&](T& v) {
            modify(v);
            return true;
        });
    }
    // As send_modify, but notifies only when `modify` returns true.
    template <class F>
    bool send_if_modified(F&& modify) {
        auto& s = *shared();
        {
            std::unique_lock lock(s.lock);
            if (!modify(s.value)) return false;
            s.state.fetch_add(2, std::memory_order_seq_cst);
        }
        s.notify_rx.notify_waiters();
        return true;
    }
    // Replaces the value (with or without receivers) and returns the old one.
    T send_replace(T value) {
        send_modify([&](T& v) { std::swap(v, value); });
        return value;
    }

    [[nodiscard]] Ref<T> borrow() const { return Ref<T>(*shared(), nullptr); }
    [[nodiscard]] bool is_closed() const { return receiver_count() == 0; }
    [[nodiscard]] std::size_t receiver_count() const {
        return shared()->rx_count.load(std::memory_order_acquire);
    }
    // Senders alive (copies of this one included).
    [[nodiscard]] std::size_t sender_count() const {
        return shared()->tx_count.load(std::memory_order_acquire);
    }
    [[nodiscard]] bool same_channel(const Sender& o) const noexcept { return shared_ == o.shared_; }
    // A new receiver that has seen the current version.
    [[nodiscard]] Receiver<T> subscribe() const {
        shared()->rx_count.fetch_add(1, std::memory_order_relaxed);
        return Receiver<T>(shared_, shared_->version());
    }

    class [[nodiscard]] Closed : public Pollable<Closed> {
       public:
        explicit Closed(detail::Shared<T>& s) noexcept : shared_(&s) {}
        bool poll(Context& cx) noexcept {
            return until_.poll(cx, shared_->notify_tx, [this]() noexcept {
                return shared_->rx_count.load(std::memory_order_acquire) == 0;
            });
        }
        void await_resume() const noexcept {}

       private:
        detail::Shared<T>* shared_;
        sync::detail::NotifiedUntil until_;
    };
    // Completes once every receiver is gone.
    [[nodiscard]] Closed closed() { return Closed(*shared()); }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(T);
    explicit Sender(std::shared_ptr<detail::Shared<T>> shared) noexcept
        : shared_(std::move(shared)) {}
    const std::shared_ptr<detail::Shared<T>>& shared() const {
        if (!shared_) throw std::logic_error("watch::Sender used after it was moved from");
        return shared_;
    }
    // Drops this sender; the last one closes the channel.
    void close() noexcept {
        if (!shared_) return;
        if (shared_->tx_count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            shared_->state.fetch_or(detail::kClosed, std::memory_order_seq_cst);
            shared_->notify_rx.notify_waiters();
        }
        shared_.reset();
    }
    std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel(T init) {
    auto shared = std::make_shared<detail::Shared<T>>(std::move(init));
    Receiver<T> rx(shared, 0);
    return {Sender<T>(std::move(shared)), std::move(rx)};
}

}  // namespace weft::sync::watch
