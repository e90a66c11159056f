// mpmc: a bounded multi-producer, multi-consumer queue: every value goes to exactly one receiver.
// (Tokio has none; the API follows mpsc's.)
//
//     auto [tx, rx] = weft::sync::mpmc::channel<Job>(64);
//     auto rx2 = rx;                              // receivers are copyable too
//     co_await tx.send(job);                      // Result<void, SendError<Job>>
//     while (auto job = co_await rx2.recv()) {}   // std::optional<Job>
//
// Closing: when every Sender is gone, receivers drain what is buffered and then get nullopt;
// when every Receiver is gone, sends fail (the value comes back) and buffered values are destroyed.
//
// Fairness: waiting senders are served in FIFO order, and so are waiting receivers: a send hands
// its value straight to the longest-waiting receiver, and a receive that frees capacity pulls the
// longest-waiting sender's value into the queue.
//
// Errors: send() -> SendError (every receiver gone; the value comes back); try_send() ->
// TrySendError Full or Closed (with the value); try_recv() -> TryRecvError Empty or Disconnected
// (every sender gone and nothing buffered). channel(0) throws std::invalid_argument; using a
// moved-from handle throws std::logic_error.
//
// Thread-safety: every handle may be used from any thread (each copy by one thread at a time).
// Handles must outlive the send/recv awaits made through them.
//
// Cancellation safety: recv() is cancellation safe: a value already handed to a receive that is
// dropped goes back to the front of the queue (or to the next waiting receiver). send() is as
// mpsc's: a dropped send did not send (its value dies with it) and loses its place in line.
// Coop: each poll of send()/recv() spends one budget unit.
//
// How: one mutex guards the queue, the counts and the two intrusive wait lists; a waiter is done
// (value handed over, or the channel closed) when its `done` flag is set, the last thing the
// other side writes, so a woken waiter completes without the lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/sync/error.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync::mpmc {

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity);

namespace detail {

template <class T>
struct SendWaiter : sync::detail::WaitNode {
    Waker waker;
    std::optional<T>* value;        // taken by a receiver when it makes room
    std::atomic<bool> done{false};  // the value was taken, or the channel closed
    bool linked = false;            // under the mutex
};

template <class T>
struct RecvWaiter : sync::detail::WaitNode {
    Waker waker;
    std::optional<T> value;  // handed over by a sender (empty: closed)
    std::atomic<bool> done{false};
    bool linked = false;
};

template <class T>
struct Shared {
    explicit Shared(std::size_t cap) : capacity(cap) {}

    std::mutex mutex;
    std::deque<T> queue;
    std::size_t capacity;
    std::size_t senders = 1;
    std::size_t receivers = 1;
    sync::detail::WaitList<SendWaiter<T>> send_waiters;
    sync::detail::WaitList<RecvWaiter<T>> recv_waiters;

    // Marks a waiter done and returns its waker (to wake after unlocking). Last touch.
    template <class W>
    static Waker finish(W* w) noexcept {
        w->linked = false;
        Waker waker = std::move(w->waker);
        w->done.store(true, std::memory_order_release);
        return waker;
    }
    // Under the lock: a value is available for receivers; hand it to the first waiting one or
    // queue it (at the front when it is being returned by a cancelled receive).
    Waker deliver(T&& value, bool front) {
        if (RecvWaiter<T>* r = recv_waiters.pop_front()) {
            r->value.emplace(std::move(value));
            return finish(r);
        }
        if (front)
            queue.push_front(std::move(value));
        else
            queue.push_back(std::move(value));
        return Waker();
    }
    // Under the lock: room was made; pull the first waiting sender's value in.
    Waker refill() {
        if (queue.size() >= capacity) return Waker();
        SendWaiter<T>* s = send_waiters.pop_front();
        if (!s) return Waker();
        queue.push_back(std::move(**s->value));
        s->value->reset();
        return finish(s);
    }
};

}  // namespace detail

template <class T>
class Sender {
    using Shared = detail::Shared<T>;

   public:
    Sender(const Sender& o) : shared_(o.shared_) {
        std::lock_guard lock(shared_->mutex);
        ++shared_->senders;
    }
    Sender(Sender&& o) noexcept = default;
    Sender& operator=(Sender o) noexcept {
        std::swap(shared_, o.shared_);
        return *this;
    }
    ~Sender() {
        if (!shared_) return;
        sync::detail::WakeList<Waker> wakers;
        std::unique_lock lock(shared_->mutex);
        if (--shared_->senders == 0) {
            // Receivers waiting now can only be waiting on an empty queue: it is over for them.
            while (auto* r = shared_->recv_waiters.pop_front()) {
                if (!wakers.can_push()) wakers.wake_all();
                wakers.push(Shared::finish(r));
            }
        }
        lock.unlock();
    }

    class [[nodiscard]] Send : public Pollable<Send> {
       public:
        Send(Send&& o) noexcept : shared_(o.shared_), value_(std::move(o.value_)) {
            if (o.queued_) std::terminate();  // a waiting send must not move
            waiter_.value = &value_;
        }
        ~Send() {
            if (!queued_ || waiter_.done.load(std::memory_order_acquire)) return;
            std::lock_guard lock(shared_->mutex);
            if (waiter_.linked) {
                shared_->send_waiters.remove(&waiter_);
                waiter_.linked = false;
            }
        }
        bool poll(Context& cx) {
            if (finished_) return true;
            if (!coop::poll_proceed(cx)) return false;
            if (waiter_.done.load(std::memory_order_acquire)) return finish();
            Waker wake;
            {
                std::lock_guard lock(shared_->mutex);
                if (waiter_.done.load(std::memory_order_relaxed)) return finish();
                if (waiter_.linked) {
                    cx.waker().store_into(waiter_.waker);
                    coop::refund();
                    return false;
                }
                if (shared_->receivers == 0) return finish();
                if (!shared_->recv_waiters.empty() ||
                    (shared_->queue.size() < shared_->capacity && shared_->send_waiters.empty())) {
                    wake = shared_->deliver(std::move(*value_), false);
                    value_.reset();
                    finished_ = true;
                } else {
                    waiter_.waker = cx.waker().clone();
                    waiter_.linked = true;
                    queued_ = true;
                    shared_->send_waiters.push_back(&waiter_);
                }
            }
            if (finished_) {
                wake.wake();
                return true;
            }
            coop::refund();
            return false;
        }
        // Sent, or the value back once every receiver is gone.
        Result<void, SendError<T>> await_resume() {
            if (!value_) return {};
            return err(SendError<T>{std::move(*value_)});
        }

       private:
        friend class Sender;
        Send(Shared* shared, T&& value) : shared_(shared), value_(std::move(value)) {
            waiter_.value = &value_;
        }
        bool finish() noexcept {
            finished_ = true;
            return true;
        }
        Shared* shared_;
        std::optional<T> value_;  // empty once sent
        detail::SendWaiter<T> waiter_;
        bool queued_ = false;  // owner's own record: the waiter was linked at some point
        bool finished_ = false;
    };
    [[nodiscard]] Send send(T value) { return Send(shared(), std::move(value)); }

    Result<void, TrySendError<T>> try_send(T value) {
        using Kind = typename TrySendError<T>::Kind;
        Waker wake;
        {
            std::lock_guard lock(shared()->mutex);
            if (shared_->receivers == 0)
                return err(TrySendError<T>{Kind::closed, std::move(value)});
            if (shared_->recv_waiters.empty() &&
                (shared_->queue.size() >= shared_->capacity || !shared_->send_waiters.empty()))
                return err(TrySendError<T>{Kind::full, std::move(value)});
            wake = shared_->deliver(std::move(value), false);
        }
        wake.wake();
        return {};
    }
    [[nodiscard]] bool is_closed() const {
        std::lock_guard lock(shared()->mutex);
        return shared_->receivers == 0;
    }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    explicit Sender(std::shared_ptr<Shared> s) noexcept : shared_(std::move(s)) {}
    Shared* shared() const {
        if (!shared_) throw std::logic_error("mpmc::Sender used after it was moved from");
        return shared_.get();
    }
    std::shared_ptr<Shared> shared_;
};

template <class T>
class Receiver {
    using Shared = detail::Shared<T>;

   public:
    Receiver(const Receiver& o) : shared_(o.shared_) {
        std::lock_guard lock(shared_->mutex);
        ++shared_->receivers;
    }
    Receiver(Receiver&& o) noexcept = default;
    Receiver& operator=(Receiver o) noexcept {
        std::swap(shared_, o.shared_);
        return *this;
    }
    ~Receiver() {
        if (!shared_) return;
        sync::detail::WakeList<Waker> wakers;
        std::deque<T> dropped;
        std::unique_lock lock(shared_->mutex);
        if (--shared_->receivers == 0) {
            dropped.swap(shared_->queue);  // nobody can receive them any more
            while (auto* s = shared_->send_waiters.pop_front()) {
                if (!wakers.can_push()) wakers.wake_all();
                wakers.push(Shared::finish(s));  // its value stays: the send fails
            }
        }
        lock.unlock();
    }

    class [[nodiscard]] Recv : public Pollable<Recv> {
       public:
        Recv(Recv&& o) noexcept : shared_(o.shared_) {
            if (o.queued_) std::terminate();  // a waiting receive must not move
            waiter_.value = std::move(o.waiter_.value);
            o.waiter_.value.reset();
        }
        ~Recv() {
            // Unlink if still waiting; give back a value we hold but never returned.
            if (queued_ && !waiter_.done.load(std::memory_order_acquire)) {
                Waker wake;
                {
                    std::lock_guard lock(shared_->mutex);
                    if (waiter_.linked) {
                        shared_->recv_waiters.remove(&waiter_);
                        waiter_.linked = false;
                        return;
                    }
                    if (waiter_.value) wake = shared_->deliver(std::move(*waiter_.value), true);
                }
                wake.wake();
                return;
            }
            if (!waiter_.value) return;
            Waker wake;
            {
                std::lock_guard lock(shared_->mutex);
                wake = shared_->deliver(std::move(*waiter_.value), true);
            }
            wake.wake();
        }
        bool poll(Context& cx) {
            if (finished_) return true;
            if (!coop::poll_proceed(cx)) return false;
            if (waiter_.done.load(std::memory_order_acquire)) return finish();
            Waker wake;
            {
                std::lock_guard lock(shared_->mutex);
                if (waiter_.done.load(std::memory_order_relaxed)) return finish();
                if (waiter_.linked) {
                    cx.waker().store_into(waiter_.waker);
                    coop::refund();
                    return false;
                }
                if (!shared_->queue.empty()) {
                    waiter_.value.emplace(std::move(shared_->queue.front()));
                    shared_->queue.pop_front();
                    wake = shared_->refill();
                    finished_ = true;
                } else if (shared_->senders == 0) {
                    finished_ = true;  // closed and drained
                } else {
                    waiter_.waker = cx.waker().clone();
                    waiter_.linked = true;
                    queued_ = true;
                    shared_->recv_waiters.push_back(&waiter_);
                }
            }
            if (finished_) {
                wake.wake();
                return true;
            }
            coop::refund();
            return false;
        }
        std::optional<T> await_resume() {
            std::optional<T> v = std::move(waiter_.value);
            waiter_.value.reset();
            return v;
        }

       private:
        friend class Receiver;
        explicit Recv(Shared* shared) noexcept : shared_(shared) {}
        bool finish() noexcept {
            finished_ = true;
            return true;
        }
        Shared* shared_;
        detail::RecvWaiter<T> waiter_;
        bool queued_ = false;  // owner's own record: the waiter was linked at some point
        bool finished_ = false;
    };
    // The next value; nullopt once every sender is gone and the queue is drained.
    [[nodiscard]] Recv recv() { return Recv(shared()); }

    Result<T, TryRecvError> try_recv() {
        Waker wake;
        std::optional<T> v;
        {
            std::lock_guard lock(shared()->mutex);
            if (shared_->queue.empty()) {
                return err(TryRecvError{shared_->senders == 0 ? TryRecvError::Kind::disconnected
                                                              : TryRecvError::Kind::empty});
            }
            v.emplace(std::move(shared_->queue.front()));
            shared_->queue.pop_front();
            wake = shared_->refill();
        }
        wake.wake();
        return std::move(*v);
    }

   private:
    friend std::pair<Sender<T>, Receiver<T>> channel<T>(std::size_t);
    explicit Receiver(std::shared_ptr<Shared> s) noexcept : shared_(std::move(s)) {}
    Shared* shared() const {
        if (!shared_) throw std::logic_error("mpmc::Receiver used after it was moved from");
        return shared_.get();
    }
    std::shared_ptr<Shared> shared_;
};

// Throws std::invalid_argument for a zero capacity.
template <class T>
[[nodiscard]] std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpmc::channel: capacity must be positive");
    auto shared = std::make_shared<detail::Shared<T>>(capacity);
    return {Sender<T>(shared), Receiver<T>(std::move(shared))};
}

}  // namespace weft::sync::mpmc
