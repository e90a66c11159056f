#include "runtime/signal/registry.hpp"

#include <uv.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "runtime/driver/driver.hpp"

namespace weft::signal::detail {

void Registry::HandleDelete::operator()(uv_signal_t* h) const noexcept {
    std::unique_ptr<uv_signal_t>(h).reset();
}

Registry::~Registry() = default;  // the handles were closed by shutdown() and the loop ran

void Registry::add(Listener& l) {
    weft::detail::Driver* driver;
    {
        std::lock_guard lock(mutex_);
        if (closed_) throw std::logic_error("weft::signal: the runtime is shut down");
        Slot& s = slots_[l.signum];
        s.listeners.push_front(&l);
        driver = driver_;
    }
    try {
        driver->run_on_loop([this, signum = l.signum](uv_loop_t& loop) { install(loop, signum); });
    } catch (...) {
        remove(l);
        throw;
    }
}

void Registry::install(uv_loop_t& loop, int signum) {
    std::lock_guard lock(mutex_);
    if (closed_) throw std::logic_error("weft::signal: the runtime is shut down");
    Slot& s = slots_[signum];
    if (s.started) return;
    HandlePtr handle(std::make_unique<uv_signal_t>().release());
    if (int rc = uv_signal_init(&loop, handle.get()); rc < 0)
        throw std::system_error(-rc, std::generic_category(),
                                std::string("uv_signal_init: ") + uv_strerror(rc));
    handle->data = this;
    if (int rc = uv_signal_start(handle.get(), &Registry::on_signal, signum); rc < 0) {
        uv_close(reinterpret_cast<uv_handle_t*>(handle.get()), nullptr);
        failed_.push_back(std::move(handle));  // freed after the loop ran the close
        throw std::system_error(
            -rc, std::generic_category(),
            "uv_signal_start(" + std::to_string(signum) + "): " + uv_strerror(rc));
    }
    s.handle = std::move(handle);
    s.started = true;
}

void Registry::remove(Listener& l) noexcept {
    Waker old;  // dropped after unlocking
    std::lock_guard lock(mutex_);
    auto it = slots_.find(l.signum);
    if (it == slots_.end()) return;
    if (!it->second.listeners.contains(&l)) return;  // not listed
    it->second.listeners.remove(&l);
    old = std::move(l.waker);
}

Registry::Poll Registry::poll_recv(Listener& l, const WakerRef& waker) noexcept {
    Waker old;  // dropped after unlocking
    std::lock_guard lock(mutex_);
    if (l.pending) {
        l.pending = false;
        return Poll::delivered;
    }
    if (closed_) return Poll::closed;
    if (!waker.will_wake(l.waker)) old = std::exchange(l.waker, waker.clone());
    return Poll::pending;
}

void Registry::on_signal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<Registry*>(handle->data);
    std::vector<Waker> wake;
    {
        std::lock_guard lock(self->mutex_);
        auto it = self->slots_.find(signum);
        if (it == self->slots_.end()) return;
        for (Listener* l = it->second.listeners.front(); l; l = l->next) {
            l->pending = true;
            if (l->waker) wake.push_back(std::move(l->waker));
        }
    }
    for (Waker& w : wake) w.wake();
}

void Registry::shutdown() noexcept {
    std::vector<Waker> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        driver_ = nullptr;
        for (auto& [signum, slot] : slots_) {
            if (slot.handle && slot.started)
                uv_close(reinterpret_cast<uv_handle_t*>(slot.handle.get()), nullptr);
            for (Listener* l = slot.listeners.front(); l; l = l->next)
                if (l->waker) wake.push_back(std::move(l->waker));
        }
    }
    for (Waker& w : wake) w.wake();
}

}  // namespace weft::signal::detail
