#include "runtime/net/io_driver.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "runtime/driver/driver.hpp"
#include "runtime/util/stress.hpp"

namespace weft::net::detail {
namespace {

constexpr std::uint32_t kTickOne = 1u << kTickShift;

std::uint32_t bits_of(std::uint32_t events) noexcept {
    std::uint32_t bits = 0;
    if (events & EPOLLIN) bits |= kReadable;
    if (events & EPOLLOUT) bits |= kWritable;
    if (events & EPOLLRDHUP) bits |= kReadable | kReadClosed;
    if (events & EPOLLHUP) bits |= kReadable | kWritable | kReadClosed | kWriteClosed;
    if (events & EPOLLERR) bits |= kReadable | kWritable | kError;
    return bits;
}

}  // namespace

// ---- ScheduledIo -------------------------------------------------------------------------------

ScheduledIo::Poll ScheduledIo::poll_ready(const Context& cx, Direction d,
                                          ReadyEvent* out) noexcept {
    const std::uint32_t want = interest_mask(d) | kShutdown;
    // acquire: pairs with dispatch's acq_rel CAS, so what the peer's event made visible (none of
    // our memory, but the ordering is what rule 2's argument uses) is seen before the syscall.
    std::uint32_t s = state_.load(std::memory_order_acquire);
    if (s & want) {
        out->state = s;
        return Poll::ready;
    }
    {
        std::lock_guard lock(lock_);
        cx.waker().store_into(d == Direction::read ? reader_ : writer_);
    }
    s = state_.load(std::memory_order_acquire);
    out->state = s;
    return (s & want) ? Poll::ready : Poll::pending;
}

void ScheduledIo::clear_bits(std::uint32_t bit, ReadyEvent ev) noexcept {
    std::uint32_t cur = ev.state;
    // Fails (and leaves the bits) as soon as the tick differs from the snapshot's: rules 3, 3b.
    while ((cur >> kTickShift) == (ev.state >> kTickShift)) {
        if (state_.compare_exchange_weak(cur, cur & ~bit, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
            return;
    }
}

void ScheduledIo::dispatch(std::uint32_t bits) noexcept {
    std::uint32_t cur = state_.load(std::memory_order_relaxed);
    // acq_rel: the new bits and tick are published before the waker is taken below (rule 2).
    while (!state_.compare_exchange_weak(cur, (cur | bits) + kTickOne, std::memory_order_acq_rel,
                                         std::memory_order_relaxed)) {
    }
    Waker r, w;
    {
        std::lock_guard lock(lock_);
        if (bits & interest_mask(Direction::read)) r = std::move(reader_);
        if (bits & interest_mask(Direction::write)) w = std::move(writer_);
    }
    r.wake();
    w.wake();
}

void ScheduledIo::clear_waker(Direction d, const Context& cx) noexcept {
    Waker old;
    std::lock_guard lock(lock_);
    Waker& slot = d == Direction::read ? reader_ : writer_;
    if (cx.waker().will_wake(slot)) old = std::move(slot);
}

// ---- IoDriver ----------------------------------------------------------------------------------

IoDriver::IoDriver(weft::detail::Driver& driver) : driver_(&driver) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

IoDriver::~IoDriver() {
    std::vector<ScheduledIo*> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(released_);
    }
    free_released(batch);
    // Registrations still live belong to sockets that outlive the runtime's driver: they hold
    // the driver alive (shared ownership), so none is left here.
    if (dead_fd_ >= 0) ::close(dead_fd_);
    if (epfd_ >= 0) ::close(epfd_);
}

void IoDriver::free_released(std::vector<ScheduledIo*>& batch) noexcept {
    for (ScheduledIo* io : batch) std::unique_ptr<ScheduledIo>(io).reset();
    batch.clear();
}

ScheduledIo* IoDriver::add(int fd, std::uint32_t initial) noexcept {
    if (!watching_.load(std::memory_order_acquire)) {
        {
            std::lock_guard lock(mutex_);
            if (shut_) {  // the Driver may be gone: never touch it after its shutdown
                errno = ESHUTDOWN;
                return nullptr;
            }
        }
        try {
            start_watching();
        } catch (const std::system_error& e) {
            errno = e.code().value();
            return nullptr;
        } catch (...) {  // the loop is shut down (std::logic_error)
            errno = ESHUTDOWN;
            return nullptr;
        }
    }
    const bool now = initial == 0;  // rule 7: nothing would ever make it ready
    auto owned = std::make_unique<ScheduledIo>(fd, initial | (now ? kRegistered : 0));
    ScheduledIo* io = owned.get();
    {
        std::lock_guard lock(mutex_);
        if (shut_) {
            errno = ESHUTDOWN;
            return nullptr;
        }
        live_.push_front(io);
    }
    if (now && !enter(*io)) {
        const int err = errno;
        std::lock_guard lock(mutex_);
        live_.remove(io);
        errno = err;
        return nullptr;  // never in epoll: `owned` frees it
    }
    return owned.release();
}

bool IoDriver::enter(ScheduledIo& io) noexcept {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &io;
    return ::epoll_ctl(epfd_, EPOLL_CTL_ADD, io.fd_, &ev) == 0;
}

int IoDriver::watch(ScheduledIo& io) noexcept {
    // acq_rel: one of a racing reader and writer sets the bit, and the other sees it set.
    const std::uint32_t was = io.state_.fetch_or(kRegistered, std::memory_order_acq_rel);
    if (was & (kRegistered | kShutdown)) return 0;
    WEFT_STRESS_POINT();  // a racing reader or writer waits before this ADD
    if (enter(io)) return 0;
    const int err = errno;
    io.state_.fetch_and(~kRegistered, std::memory_order_acq_rel);
    io.dispatch(kReadable | kWritable);  // each waiter retries, and meets the error itself
    return err;
}

void IoDriver::remove(ScheduledIo* io) noexcept {
    if (!io) return;
    // The owner closes: no operation on the socket is in flight, so the bit is settled.
    const bool entered = (io->state_.load(std::memory_order_acquire) & kRegistered) != 0;
    // May fail after shutdown replaced the socket (the dead socket was never added): harmless.
    if (entered) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, io->fd_, nullptr);
    std::unique_ptr<ScheduledIo> now;
    std::lock_guard lock(mutex_);
    if (live_.contains(io)) live_.remove(io);
    if (shut_ || !entered) {
        now.reset(io);  // nothing dispatches any more, or no event ever named it
    } else {
        try {
            released_.push_back(io);
        } catch (...) {
            // Out of memory: leaking one registration is better than a use after free.
        }
    }
}

void IoDriver::start_watching() {
    std::lock_guard lock(start_mutex_);
    if (watching_.load(std::memory_order_relaxed)) return;
    auto handle = std::make_unique<uv_poll_t>();
    // run_on_loop waits until the loop thread started watching: an event after add() returns is
    // then seen by the next turn of the loop.
    driver_->run_on_loop([&](uv_loop_t& loop) {
        if (int rc = uv_poll_init(&loop, handle.get(), epfd_); rc < 0)
            throw std::system_error(-rc, std::generic_category(),
                                    std::string("uv_poll_init: ") + uv_strerror(rc));
        handle->data = this;
        uv_poll_start(handle.get(), UV_READABLE, &IoDriver::on_poll);
        poll_ = std::move(handle);  // on the loop thread, where shutdown() reads it
    });
    watching_.store(true, std::memory_order_release);
}

void IoDriver::on_poll(uv_poll_t* handle, int /*status*/, int /*events*/) {
    static_cast<IoDriver*>(handle->data)->dispatch_events();
}

void IoDriver::dispatch_events() noexcept {
    // Free what was removed before this dispatch: no event naming it can come any more.
    std::vector<ScheduledIo*> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(released_);
    }
    free_released(batch);

    constexpr int kBatch = 256;
    epoll_event events[kBatch];
    for (int round = 0; round < 4; ++round) {  // bounded: the loop calls again if more remain
        const int n = ::epoll_wait(epfd_, events, kBatch, 0);
        if (n <= 0) return;
        for (int i = 0; i < n; ++i)
            static_cast<ScheduledIo*>(events[i].data.ptr)->dispatch(bits_of(events[i].events));
        if (n < kBatch) return;
    }
}

void IoDriver::shutdown() noexcept {
    std::vector<ScheduledIo*> batch;
    std::vector<Waker> wake;
    {
        std::lock_guard lock(mutex_);
        if (shut_) return;
        shut_ = true;
        batch.swap(released_);
        dead_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        // Under mutex_: an owner removing its socket concurrently waits, so none is freed here.
        for (ScheduledIo* io = live_.front(); io; io = io->next_) {
            ::epoll_ctl(epfd_, EPOLL_CTL_DEL, io->fd_, nullptr);
            if (dead_fd_ >= 0) ::dup3(dead_fd_, io->fd_, O_CLOEXEC);
            io->state_.fetch_or(kShutdown, std::memory_order_acq_rel);
            std::lock_guard io_lock(io->lock_);
            try {
                if (io->reader_) wake.push_back(std::move(io->reader_));
                if (io->writer_) wake.push_back(std::move(io->writer_));
            } catch (...) {  // out of memory: wake this one in place
                io->reader_.wake();
                io->writer_.wake();
            }
        }
    }
    free_released(batch);
    if (poll_) uv_close(reinterpret_cast<uv_handle_t*>(poll_.get()), nullptr);
    for (Waker& w : wake) w.wake();  // rule 6, outside the locks
}

}  // namespace weft::net::detail
