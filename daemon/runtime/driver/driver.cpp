// The libuv driver, and the protocol by which a parked runtime wakes for its next timer.
//
// Who may arm which deadline:
//   * The wheel (time/wheel.hpp) arms nothing: it answers next_expiration(), the tick at which it
//     next has something to hand out or cascade, under TimeHandle's mutex.
//   * Only the thread inside park() (one at a time: loop_mutex) arms the wake-up. Under the
//     mutex, TimeHandle::prepare_park() reads the wheel's next expiration and publishes it as
//     `parked_until_`; park() then sleeps in epoll for at most the time until that tick (or the
//     caller's timeout, if shorter), and after waking fires what is due (TimeHandle::process,
//     which clears `parked_until_`).
//   * Any other thread that files a timer (register_timer, reregister) does so under the same
//     mutex, and if its tick is before `parked_until_` it lowers `parked_until_` and calls
//     unpark(). Registrations for later ticks need nothing: the parked thread wakes first anyway.
//
// Why a registration racing with a park is always seen: the mutex orders it against
// prepare_park. Filed before, the parking thread's next_expiration() includes it. Filed after,
// it reads the `parked_until_` that prepare_park wrote and unparks; unpark() makes the *current
// or next* uv_run return (uv_async_send writes an eventfd, which stays readable until the loop
// reads it), so it does not matter whether the parking thread has reached epoll_wait yet.
//
// Why the armed deadline is always honoured: the wake-up for a deadline is a one-shot uv_timer
// started just before uv_run. libuv (1.44) runs due timers at the *top* of uv_run, before it
// computes the epoll timeout from the timers still pending. If the loop's clock crossed the
// timer's due time between uv_timer_start and that point (a preempted or slow thread: under
// valgrind, or a loaded machine, a 1 ms wait is often gone by then), the timer runs first, none
// is left, and epoll waits with an infinite timeout while the wheel still has timers: the lost
// wake-up. So the timer's callback calls uv_stop(): a stopped loop polls with a zero timeout
// (libuv documents this), and park() returns to fire the timers whenever the timer ran.
//
// Locks, outermost first:
//   loop_mutex  held by the thread running the loop (park, or run_on_loop running queued ops when
//               no thread parks); uncontended in normal operation (the Parker admits one thread)
//   ops_mutex   the queue of functions for the loop thread
// Loop callbacks (async, signals) only wake tasks: no task code ever runs inside uv_run.
#include "runtime/driver/driver.hpp"

#include <uv.h>

#include <atomic>
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "runtime/net/io_driver.hpp"
#include "runtime/signal/registry.hpp"
#include "runtime/util/stress.hpp"

namespace weft::detail {
namespace {

void check_uv(int status, const char* call) {
    if (status < 0)
        throw std::system_error(-status, std::generic_category(),
                                std::string(call) + ": " + uv_strerror(status));
}

// A function queued for the loop thread; lives on the stack of the run_on_loop caller, who waits
// for `done` (set under ops_mutex as the loop thread's last access).
struct Op {
    std::function<void(uv_loop_t&)> fn;
    std::exception_ptr error;
    bool done = false;
};

}  // namespace

struct Driver::Impl {
    uv_loop_t loop{};
    uv_async_t async{};
    uv_timer_t timer{};

    std::mutex loop_mutex;
    bool closed = false;    // under loop_mutex
    bool did_wake = false;  // loop thread: the async callback ran

    std::mutex ops_mutex;
    std::condition_variable ops_done;
    std::vector<Op*> ops;     // under ops_mutex
    bool ops_closed = false;  // under ops_mutex

    // True from an unpark() until the async callback consumed it: later unparks skip the
    // eventfd write, and park(0) skips epoll while it is false and no other handle exists.
    std::atomic<bool> wake_pending{false};
    // unpark() calls past the `stopped` check, so shutdown can wait them out before closing.
    std::atomic<int> unparking{0};
    std::atomic<bool> stopped{false};

    std::shared_ptr<signal::detail::Registry> signals;
    std::shared_ptr<net::detail::IoDriver> io;

    static void on_async(uv_async_t* h) {
        auto* self = static_cast<Impl*>(h->data);
        self->did_wake = true;
        // acq_rel: reading the last unparker's write makes the work it published before its
        // unpark() visible to the scheduler once park() returns.
        self->wake_pending.exchange(false, std::memory_order_acq_rel);
        self->run_ops(false);
    }

    // Runs the queued ops (on the loop thread, holding loop_mutex). With `reject`, fails them.
    void run_ops(bool reject) {
        std::vector<Op*> batch;
        {
            std::lock_guard lock(ops_mutex);
            batch.swap(ops);
        }
        if (batch.empty()) return;
        for (Op* op : batch) {
            std::exception_ptr error;
            if (reject) {
                error = std::make_exception_ptr(
                    std::logic_error("the runtime's event loop is shut down"));
            } else {
                try {
                    op->fn(loop);
                } catch (...) {
                    error = std::current_exception();
                }
            }
            std::lock_guard lock(ops_mutex);
            op->error = error;
            op->done = true;  // the last access to *op
        }
        ops_done.notify_all();
    }

    void send_wake() noexcept {
        unparking.fetch_add(1, std::memory_order_seq_cst);
        if (!stopped.load(std::memory_order_seq_cst)) {
            // libuv 1.44's uv_async_send lacks a barrier before its pending check: add it.
#if defined(__SANITIZE_THREAD__)
            unparking.fetch_add(0, std::memory_order_seq_cst);  // TSan does not model fences
#else
            std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
            uv_async_send(&async);
        }
        unparking.fetch_sub(1, std::memory_order_release);
    }

    // Something for epoll beyond the wake-up: signal handles, I/O, requests, a pending wake.
    [[nodiscard]] bool has_events() const noexcept {
        return wake_pending.load(std::memory_order_relaxed) || loop.active_handles > 1 ||
               loop.active_reqs.count > 0;
    }

    void run_for(std::chrono::nanoseconds wait) {
        constexpr std::int64_t kNsPerMs = 1'000'000;
        constexpr std::int64_t kMaxMs = std::int64_t{1} << 31;  // ~25 days: park again after
        std::int64_t ms = wait.count() / kNsPerMs + (wait.count() % kNsPerMs != 0 ? 1 : 0);
        if (ms > kMaxMs) ms = kMaxMs;
        uv_update_time(&loop);
        WEFT_STRESS_POINT();  // the loop's clock moves on before uv_run reads it
        // uv_stop: however early in uv_run the timer runs, epoll must not block after it (see
        // the protocol at the top of this file).
        uv_timer_start(
            &timer, [](uv_timer_t* t) { uv_stop(t->loop); }, static_cast<std::uint64_t>(ms), 0);
        uv_run(&loop, UV_RUN_ONCE);
        uv_timer_stop(&timer);
    }
};

Driver::Driver() : time_(&Driver::unpark_thunk, this), impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    check_uv(uv_loop_init(&d.loop), "uv_loop_init");
    d.loop.data = &d;
    if (int rc = uv_async_init(&d.loop, &d.async, &Impl::on_async); rc < 0) {
        uv_loop_close(&d.loop);
        check_uv(rc, "uv_async_init");
    }
    d.async.data = &d;
    uv_timer_init(&d.loop, &d.timer);  // cannot fail
    d.signals = std::make_shared<signal::detail::Registry>(*this);
    d.io = std::make_shared<net::detail::IoDriver>(*this);
}

Driver::~Driver() { shutdown(); }

const std::shared_ptr<signal::detail::Registry>& Driver::signals() const noexcept {
    return impl_->signals;
}

const std::shared_ptr<net::detail::IoDriver>& Driver::io() const noexcept { return impl_->io; }

void Driver::unpark_thunk(void* self) noexcept { static_cast<Driver*>(self)->unpark(); }

void Driver::unpark() noexcept {
    Impl& d = *impl_;
    WEFT_STRESS_POINT();
    if (d.wake_pending.exchange(true, std::memory_order_acq_rel)) return;  // already on its way
    d.send_wake();
}

void Driver::park(std::optional<std::chrono::nanoseconds> timeout) {
    Impl& d = *impl_;
    std::lock_guard lock(d.loop_mutex);
    if (d.closed) return;
    time::detail::Clock& clock = time_.clock();

    if (timeout && timeout->count() <= 0) {  // poll
        if (d.has_events()) uv_run(&d.loop, UV_RUN_NOWAIT);
        time_.process(time_.instant_to_tick(clock.now()));
        return;
    }

    std::optional<std::chrono::nanoseconds> wait = timeout;
    WEFT_STRESS_POINT();
    if (std::optional<std::uint64_t> next = time_.prepare_park(true)) {
        const time::Instant at = time_.tick_to_instant(*next);
        const time::Instant now = clock.now();
        const std::chrono::nanoseconds until = at > now ? at - now : std::chrono::nanoseconds(0);
        if (!wait || until < *wait) wait = until;
    }
    WEFT_STRESS_POINT();  // a deadline computed here is stale by the time epoll waits
    if (!wait) {
        uv_run(&d.loop, UV_RUN_ONCE);  // until an event or unpark()
    } else if (wait->count() <= 0) {
        uv_run(&d.loop, UV_RUN_NOWAIT);
    } else if (clock.can_auto_advance()) {
        // Paused clock: collect what is ready; if nothing woke us, jump to the deadline.
        d.did_wake = false;
        uv_run(&d.loop, UV_RUN_NOWAIT);
        if (!d.did_wake) clock.advance(*wait);
    } else {
        d.run_for(*wait);
    }
    time_.process(time_.instant_to_tick(clock.now()));
}

void Driver::run_on_loop(std::function<void(uv_loop_s&)> fn) {
    Impl& d = *impl_;
    Op op{std::move(fn), nullptr, false};
    {
        std::lock_guard lock(d.ops_mutex);
        if (d.ops_closed) throw std::logic_error("the runtime's event loop is shut down");
        d.ops.push_back(&op);
    }
    for (;;) {
        if (d.loop_mutex.try_lock()) {  // nobody runs the loop: run the ops here
            std::lock_guard held(d.loop_mutex, std::adopt_lock);
            d.run_ops(d.closed);
        }
        std::unique_lock lock(d.ops_mutex);
        if (op.done) break;
        lock.unlock();
        unpark();  // the thread in the loop runs them from its async callback
        lock.lock();
        d.ops_done.wait_for(lock, std::chrono::milliseconds(1), [&] { return op.done; });
        if (op.done) break;
    }
    if (op.error) std::rethrow_exception(op.error);
}

void Driver::shutdown() noexcept {
    Impl& d = *impl_;
    {
        std::lock_guard lock(d.ops_mutex);
        d.ops_closed = true;
    }
    std::lock_guard lock(d.loop_mutex);
    if (d.closed) return;
    d.closed = true;
    time_.shutdown();
    d.signals->shutdown();
    d.io->shutdown();
    d.run_ops(true);
    // No unpark() may touch the async handle once it is closing.
    d.stopped.store(true, std::memory_order_seq_cst);
    while (d.unparking.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    uv_close(reinterpret_cast<uv_handle_t*>(&d.async), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&d.timer), nullptr);
    uv_run(&d.loop, UV_RUN_DEFAULT);  // until every close callback ran
    [[maybe_unused]] const int rc = uv_loop_close(&d.loop);
    assert(rc == 0 && "a libuv handle of the driver was left open");
}

}  // namespace weft::detail
