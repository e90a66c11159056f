// IoDriver: socket readiness for one runtime, fed by the driver's libuv loop.
//
// Every socket of the runtime is registered, edge-triggered (EPOLLET), in an epoll instance of
// its own (the "inner" epoll). The driver's libuv loop watches that one descriptor with a single
// uv_poll_t; when it is readable the loop thread drains it (epoll_wait with no timeout) and turns
// each event into readiness bits of the socket's ScheduledIo, waking the task waiting for them.
// Registering, deregistering and waiting need no trip to the loop thread: epoll_ctl may be called
// from any thread, so a socket costs the loop nothing until it has an event, and the task that
// reads or writes makes the syscall itself.
//
// THE READINESS WAIT/WAKE PROTOCOL (one ScheduledIo, one atomic word `state`):
//
//   state = readiness bits (READABLE, WRITABLE, READ_CLOSED, WRITE_CLOSED, ERROR) | SHUTDOWN
//           | tick << kTickShift           (the tick counts the events the driver dispatched)
//
//   1. Only the loop thread (dispatch) sets readiness bits: each event ORs its bits in and
//      increments the tick in one CAS, then takes the waker of each direction the event concerns
//      under the ScheduledIo's lock, and wakes it after unlocking.
//   2. A task waits with poll_ready(cx, direction): it loads `state`; if a bit of its direction
//      is set, it proceeds with that (bits, tick) snapshot. Otherwise it stores its waker in the
//      direction's slot under the lock, releases the lock, and loads `state` again: if the bit is
//      set now it proceeds (the stored waker at worst wakes it once more, spuriously), else it
//      returns pending. Rule 1 and this order mean an event is never lost: either the driver's
//      lock section comes after the task's, and it finds the waker; or it comes before, and its
//      CAS (before its lock) is visible to the task's second load (after its own lock).
//   3. The task makes the syscall. When it says EAGAIN the task clears the direction's bits
//      (READABLE or WRITABLE, with its CLOSED bit and ERROR: EAGAIN proves none of them holds
//      now, and a UDP socket's ICMP error must not stay set and spin its reader) with
//      clear_readiness(snapshot), a CAS that succeeds only if the tick
//      is still the snapshot's: an event dispatched between the snapshot and the clear (the socket
//      became ready again while the task was failing its syscall) changed the tick, so the bit
//      stays and the task retries at once instead of sleeping on an edge that already passed.
//   3b. A stream read or write that moved fewer bytes than asked (a "short" transfer) proves the
//      socket drained its receive queue, or filled its send buffer, at that instant, just as
//      EAGAIN would: the task clears READABLE or WRITABLE alone (closed and error bits stay,
//      rule 4: a short read does not prove the peer has not closed) with the same tick-checked
//      CAS, which saves the syscall that would only say EAGAIN (Tokio does the same). Bytes that
//      arrive after the syscall raise a new edge: dispatched before the clear, it changed the
//      tick and the clear fails; dispatched after, it sets the bit again. Datagram sockets never
//      do this (a short datagram says nothing about the next one).
//   3c. A short stream read whose snapshot holds READ_CLOSED (and not ERROR) proves the stream is
//      at its end: the peer's FIN had come before the read, the short read drained what came
//      before the FIN, and nothing can come after it. The task sets READ_EOF instead of clearing
//      READABLE, and every later stream read reports the end (0 bytes) without a syscall. Only
//      a FIN (or a Unix peer's shutdown) raises READ_CLOSED without ERROR: a reset raises both in
//      one event. After a FIN, TCP's read reports the end and never an error, so this answers
//      what the syscall would have; a Unix stream whose peer then closes with bytes unread would
//      report a reset, and the end it answers is what a read made just before that close got.
//      (Tokio makes that syscall; a connection that sends and closes saves one.)
//   4. Otherwise closed and error bits stay: once the peer closed, every later wait proceeds and
//      the syscall reports the end (0 bytes) or the error, without waiting for another edge.
//   5. A new registration starts READABLE|WRITABLE (optimistic: the first read or write tries
//      the syscall; EAGAIN clears the bit by rule 3), except a connecting socket, which starts
//      empty and waits for the WRITABLE edge of the finished connect. Edges that come after
//      epoll_ctl(ADD) are reported, and ADD reports the socket's state at that moment.
//   6. Shutdown sets SHUTDOWN, wakes both slots, and every later wait reports it.
//   7. A registration that starts with readiness is entered in the inner epoll only when it
//      first has to wait: a task whose rule 2 stored its waker and found no readiness (rule 3 or
//      3b cleared it) sets REGISTERED (fetch_or) and, if it was the one to set it, makes the
//      epoll_ctl(ADD) before it returns pending (watch()). Nothing is lost by the delay: before
//      the ADD no event exists for the socket, so its tick stands still and rule 3's clear
//      succeeds; readiness that came since the syscall that cleared the bit is reported by the
//      ADD itself (rule 5), and its dispatch finds the waker already stored. When a reader and a
//      writer race, the one that did not set the bit returns pending, maybe before the other's
//      ADD: that ADD's report wakes it too. If the ADD fails, REGISTERED is cleared and both
//      directions are made ready (a new tick, both wakers woken): each waiter retries its
//      syscall, comes back to its first wait, tries the ADD itself and reports its error. A
//      connecting socket starts empty: nothing would ever make it ready, so it is entered at
//      once. So an accepted connection that is answered and closed without ever waiting (a
//      short-lived request) costs no epoll_ctl.
//
// Each direction has one waker slot: at most one task reads and one task writes a socket at a
// time (a task polling two operations of one direction, as first_of does, is fine: the slot holds
// its waker). A second reader would replace the first one's waker, as with Tokio's poll_read.
//
// LIFETIME. The inner epoll's events carry the ScheduledIo's address. A registration never
// entered in epoll (rule 7) is freed at once by remove(). Otherwise remove() takes the
// socket out of epoll (epoll_wait never reports it again afterwards) but an event fetched by a
// dispatch already in progress may still name it, so the ScheduledIo is parked on a release list
// and freed by the next dispatch, before its epoll_wait: dispatches are serialised on the loop
// thread, so by then no event naming it can be in flight. After shutdown nothing dispatches and
// deregister() frees at once.
//
// SHUTDOWN. Driver::shutdown() calls shutdown() on the loop thread: it stops the uv_poll_t, marks
// every live registration SHUTDOWN and wakes its waiters, and closes the socket behind each
// descriptor (dup2 of a dead socket over it: the peer sees the connection close and the port is
// released at once, while the descriptor number stays the socket object's until it is dropped,
// so it is never closed twice nor reused under it).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/task/context.hpp"
#include "runtime/task/waker.hpp"
#include "runtime/util/intrusive_list.hpp"
#include "runtime/util/spin_lock.hpp"

struct uv_loop_s;
struct uv_poll_s;

namespace weft::detail {
class Driver;
}

namespace weft::net::detail {

// Readiness bits (the low byte of ScheduledIo::state).
inline constexpr std::uint32_t kReadable = 1u << 0;
inline constexpr std::uint32_t kWritable = 1u << 1;
inline constexpr std::uint32_t kReadClosed = 1u << 2;
inline constexpr std::uint32_t kWriteClosed = 1u << 3;
inline constexpr std::uint32_t kError = 1u << 4;
inline constexpr std::uint32_t kReadEof = 1u << 5;     // a stream read to its end (rule 3c)
inline constexpr std::uint32_t kRegistered = 1u << 6;  // in the inner epoll (rule 7)
inline constexpr std::uint32_t kShutdown = 1u << 7;    // the runtime shut down: no more events
inline constexpr std::uint32_t kTickShift = 8;         // the tick: the upper 24 bits, wrapping

enum class Direction { read, write };

// What a waiting direction accepts as "go ahead and try the syscall".
[[nodiscard]] constexpr std::uint32_t interest_mask(Direction d) noexcept {
    return d == Direction::read ? (kReadable | kReadClosed | kError | kReadEof)
                                : (kWritable | kWriteClosed | kError);
}

// A snapshot of the state a wait proceeded on (rule 2), handed back to clear_readiness (rule 3).
struct ReadyEvent {
    std::uint32_t state = 0;
    [[nodiscard]] bool is_shutdown() const noexcept { return (state & kShutdown) != 0; }
};

class ScheduledIo {
   public:
    explicit ScheduledIo(int fd, std::uint32_t initial) noexcept : fd_(fd), state_(initial) {}

    enum class Poll { ready, pending };
    // Rule 2. On `ready`, *out holds the snapshot (maybe SHUTDOWN); on `pending`, the state that
    // was found wanting (REGISTERED tells whether the socket still has to enter epoll, rule 7).
    [[nodiscard]] Poll poll_ready(const Context& cx, Direction d, ReadyEvent* out) noexcept;
    // Rule 3: clears the direction's bits unless an event came since `ev`.
    void clear_readiness(Direction d, ReadyEvent ev) noexcept { clear_bits(interest_mask(d), ev); }
    // A stream read or write moved fewer bytes than asked: rule 3c (a read that found the end)
    // or else rule 3b (clears READABLE or WRITABLE alone unless an event came since `ev`).
    void note_short_transfer(Direction d, ReadyEvent ev) noexcept {
        if (d == Direction::read && (ev.state & (kReadClosed | kError)) == kReadClosed)
            state_.fetch_or(kReadEof, std::memory_order_acq_rel);
        else
            clear_bits(d == Direction::read ? kReadable : kWritable, ev);
    }
    // Rule 1 (the loop thread; and watch() when its ADD failed, rule 7).
    void dispatch(std::uint32_t bits) noexcept;
    // Forgets a waiter that gave up (its slot would otherwise keep the task alive until the next
    // event). Only a waker that `cx` would wake is removed.
    void clear_waker(Direction d, const Context& cx) noexcept;

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] bool is_shut_down() const noexcept {
        return (state_.load(std::memory_order_acquire) & kShutdown) != 0;
    }

   private:
    friend class IoDriver;
    void clear_bits(std::uint32_t bits, ReadyEvent ev) noexcept;

    int fd_;
    std::atomic<std::uint32_t> state_;
    weft::detail::SpinLock lock_;
    Waker reader_;                 // under lock_
    Waker writer_;                 // under lock_
    ScheduledIo* prev_ = nullptr;  // the live list's links, under IoDriver::mutex_
    ScheduledIo* next_ = nullptr;
};

class IoDriver {
   public:
    // Opens the inner epoll instance; throws std::system_error if the OS refuses.
    explicit IoDriver(weft::detail::Driver& driver);
    ~IoDriver();
    IoDriver(const IoDriver&) = delete;
    IoDriver& operator=(const IoDriver&) = delete;

    // Registers `fd` (non-blocking, owned by the caller) for both directions, edge-triggered,
    // starting with `initial` readiness (rule 5). With no initial readiness it enters epoll now,
    // otherwise at its first wait (rule 7). Any thread. Returns null with errno set if epoll
    // refuses; errno ESHUTDOWN after shutdown.
    [[nodiscard]] ScheduledIo* add(int fd, std::uint32_t initial) noexcept;
    // Rule 7: enters `io` in epoll unless it is (or the runtime shut down). Called by a task
    // that stored its waker and is about to wait. 0, or the errno of the ADD that failed.
    [[nodiscard]] int watch(ScheduledIo& io) noexcept;
    // Removes the registration (call before closing its descriptor). Any thread.
    void remove(ScheduledIo* io) noexcept;

    // The loop thread, during Driver::shutdown (holding the loop).
    void shutdown() noexcept;

   private:
    [[nodiscard]] bool enter(ScheduledIo& io) noexcept;  // epoll_ctl(ADD); false with errno
    static void on_poll(uv_poll_s* handle, int status, int events);
    void dispatch_events() noexcept;
    void start_watching();  // makes the loop watch the inner epoll (once)
    void free_released(std::vector<ScheduledIo*>& batch) noexcept;

    weft::detail::Driver* driver_;
    int epfd_ = -1;
    int dead_fd_ = -1;  // a socket that is never connected: dup2'd over sockets at shutdown

    std::mutex start_mutex_;
    std::atomic<bool> watching_{false};
    std::unique_ptr<uv_poll_s> poll_;

    std::mutex mutex_;
    // Every registration, for shutdown; under mutex_.
    weft::detail::IntrusiveList<ScheduledIo, ScheduledIo, &ScheduledIo::prev_, &ScheduledIo::next_>
        live_;
    std::vector<ScheduledIo*> released_;  // under mutex_: removed, freed by the next dispatch
    bool shut_ = false;                   // under mutex_
};

}  // namespace weft::net::detail
