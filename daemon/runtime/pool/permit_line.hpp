// PermitLine: a pool's slots: the permits nobody holds, and the FIFO line of acquires waiting
// for one. It has no lock of its own: every member runs under the lock of the pool that owns it,
// the lock that also guards the pool's idle resources, so a checkout takes a permit and an idle
// resource in one critical section and a check-in gives both back in another (a semaphore beside
// the pool's lock would cost two more atomic read-modify-writes per acquire and release).
//
// The protocol (the pool's rules 1 and 5, pool.hpp):
//   - Invariant: while anyone waits, no permit is free. take_or_join() takes a free permit only
//     then, so a newcomer never overtakes a waiter; otherwise the waiter joins the end of the
//     line with its waker.
//   - give() hands a permit to the head of the line: it unlinks the waiter, moves its waker out
//     (the caller wakes it after unlocking) and stores `granted` in the waiter's state; with
//     nobody waiting the permit becomes free.
//   - A waiter that is granted owns the permit from then on, whether it has seen it or not:
//     leave() of a granted waiter gives the permit on (to the next in line), so a grant made to a
//     dropped acquire is never lost. leave() of a waiting one unlinks it.
//   - close() fails every waiter (state `closed`, woken) and every later take_or_join().
// A Waiter lives inside its acquire (waiting allocates nothing) and must stay in place while it is
// in the line (state waiting); move() relinks one that moved.
//
// Thread-safety: none of its own; see above. The Waiter state is only read and written under the
// lock too, so it needs no atomics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/task/waker.hpp"

namespace weft::pool::detail {

class PermitLine {
   public:
    struct Waiter : sync::detail::WaitNode {
        enum class State : std::uint8_t { outside, waiting, granted, closed };
        State state = State::outside;
        Waker waker;
    };
    enum class Take { ok, waiting, closed };

    explicit PermitLine(std::size_t permits) noexcept : free_(permits) {}
    PermitLine(const PermitLine&) = delete;
    PermitLine& operator=(const PermitLine&) = delete;

    // A free permit (ok), or `w` joins the line and `waker` is registered (waiting), or closed.
    // For a `w` already in the line: ok once granted (it leaves the line), else the waker is
    // renewed.
    [[nodiscard]] Take take_or_join(Waiter& w, const WakerRef& waker) noexcept {
        switch (w.state) {
            case Waiter::State::outside:
                if (closed_) return Take::closed;
                if (free_ > 0) {  // then nobody waits (invariant)
                    --free_;
                    return Take::ok;
                }
                w.state = Waiter::State::waiting;
                w.waker = waker.clone();
                line_.push_back(&w);
                ++waiting_;
                return Take::waiting;
            case Waiter::State::waiting:
                waker.store_into(w.waker);
                return Take::waiting;
            case Waiter::State::granted:
                w.state = Waiter::State::outside;
                return Take::ok;
            case Waiter::State::closed:
                w.state = Waiter::State::outside;
                return Take::closed;
        }
        return Take::closed;
    }
    // A free permit, never one a waiter is owed (there is none while anyone waits).
    [[nodiscard]] bool try_take() noexcept {
        if (closed_ || free_ == 0) return false;
        --free_;
        return true;
    }
    // Gives one permit back: to the head of the line, whose waker is returned to be woken once
    // the lock is released, or to the free permits (an empty waker is returned).
    [[nodiscard]] Waker give() noexcept {
        if (Waiter* w = line_.pop_front()) {
            --waiting_;
            w->state = Waiter::State::granted;
            return std::move(w->waker);
        }
        ++free_;
        return Waker();
    }
    // `w` gives up: out of the line if it waits; a permit granted to it goes on (a waker to wake
    // is returned, as give()). Nothing to do for one outside or closed.
    [[nodiscard]] Waker leave(Waiter& w) noexcept {
        const auto state = std::exchange(w.state, Waiter::State::outside);
        if (state == Waiter::State::waiting) {
            line_.remove(&w);
            --waiting_;
            w.waker = Waker();
        } else if (state == Waiter::State::granted) {
            return give();
        }
        return Waker();
    }
    // `to` takes the place of `from` (moved), in the line if `from` was in it.
    void move(Waiter& from, Waiter& to) noexcept {
        to.state = std::exchange(from.state, Waiter::State::outside);
        to.waker = std::move(from.waker);
        if (to.state == Waiter::State::waiting) line_.replace(&from, &to);
    }
    // Fails every waiter, collecting their wakers into `wake` (woken by the caller once unlocked).
    template <class WakeAll>
    void close(WakeAll&& wake) noexcept {
        closed_ = true;
        while (Waiter* w = line_.pop_front()) {
            --waiting_;
            w->state = Waiter::State::closed;
            wake(std::move(w->waker));
        }
    }

    [[nodiscard]] std::size_t waiting() const noexcept { return waiting_; }
    [[nodiscard]] std::size_t free() const noexcept { return free_; }
    [[nodiscard]] bool closed() const noexcept { return closed_; }

   private:
    std::size_t free_;
    std::size_t waiting_ = 0;
    bool closed_ = false;
    sync::detail::WaitList<Waiter> line_;
};

}  // namespace weft::pool::detail
