#include "runtime/signal/signal.hpp"

#include <csignal>
#include <stdexcept>
#include <string>

#include "runtime/context/thread_context.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::signal {

Signal& Signal::operator=(Signal&& other) noexcept {
    if (this != &other) {
        if (listener_) registry_->remove(*listener_);
        registry_ = std::move(other.registry_);
        listener_ = std::move(other.listener_);
    }
    return *this;
}

Signal::~Signal() {
    if (listener_) registry_->remove(*listener_);
}

bool Signal::Recv::poll(Context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return false;
    switch (signal_->registry_->poll_recv(*signal_->listener_, cx.waker())) {
        case detail::Registry::Poll::delivered:
            delivered_ = true;
            return true;
        case detail::Registry::Poll::closed:
            delivered_ = false;
            return true;
        case detail::Registry::Poll::pending:
            break;
    }
    coop::refund();
    return false;
}

Signal signal(int signum) {
    if (signum <= 0 || signum >= NSIG)
        throw std::invalid_argument("weft::signal: no signal number " + std::to_string(signum));
    if (signum == SIGKILL || signum == SIGSTOP || signum == SIGILL || signum == SIGFPE ||
        signum == SIGSEGV)
        throw std::invalid_argument("weft::signal: signal " + std::to_string(signum) +
                                    " cannot be listened for");
    weft::detail::SchedulerHandle* s = weft::detail::tls().scheduler;
    if (!s) throw std::logic_error("weft::signal::signal called outside a weft runtime");
    const std::shared_ptr<detail::Registry>& registry = s->driver().signals();
    auto listener = std::make_unique<detail::Listener>();
    listener->signum = signum;
    registry->add(*listener);
    return Signal(registry, std::move(listener));
}

CtrlC ctrl_c() { return CtrlC(signal(SIGINT)); }

}  // namespace weft::signal
