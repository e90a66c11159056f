// Unix signals as awaitable streams (Tokio's `signal::unix::signal`, `signal::ctrl_c`).
//
//   auto term = weft::signal::signal(SIGTERM);
//   while (co_await term.recv()) reload();        // each recv() waits for the next delivery
//
//   co_await weft::signal::ctrl_c();                // the next SIGINT
//
// signal(signum) registers a listener at once: once it returns, a delivery of `signum` is never
// missed (and no longer kills the process). Several listeners of one signal, on one runtime or on
// several, each see every delivery. Deliveries a listener has not received yet coalesce into one,
// as the OS coalesces pending signals and as Tokio does. Dropping a Signal deregisters it; as in
// Tokio, the process keeps catching that signal for the rest of the runtime's life (a delivery
// with no listener is then dropped), and the default action returns when the runtime shuts down.
//
// Signals are delivered by the runtime's driver (libuv's uv_signal_t), on either flavor: on a
// busy multi_thread runtime a delivery waits at most event_interval polls.
//
// recv() is cancellation safe (a delivery is never lost by dropping a pending recv()); it
// consumes coop budget. recv() gives false once the runtime shut down: no delivery will come.
//
// SIGKILL and SIGSTOP cannot be caught; SIGILL, SIGFPE and SIGSEGV are refused as in Tokio
// (std::invalid_argument). Call signal() and ctrl_c() from inside a runtime (std::logic_error
// otherwise). A Signal is used by one task at a time.
#pragma once

#include <memory>

#include "runtime/coop/budget.hpp"
#include "runtime/signal/registry.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::signal {

class Signal {
   public:
    Signal(std::shared_ptr<detail::Registry> registry,
           std::unique_ptr<detail::Listener> listener) noexcept
        : registry_(std::move(registry)), listener_(std::move(listener)) {}
    Signal(Signal&&) noexcept = default;
    Signal& operator=(Signal&& other) noexcept;
    ~Signal();

    class [[nodiscard]] Recv : public Pollable<Recv> {
       public:
        explicit Recv(Signal& s) noexcept : signal_(&s) {}
        bool poll(Context& cx) noexcept;
        // True: a delivery; false: the runtime shut down.
        [[nodiscard]] bool await_resume() const noexcept { return delivered_; }

       private:
        Signal* signal_;
        bool delivered_ = false;
    };

    // Completes at the next delivery (at once if one arrived since the last recv()).
    [[nodiscard]] Recv recv() noexcept { return Recv(*this); }
    [[nodiscard]] int signum() const noexcept { return listener_ ? listener_->signum : 0; }

   private:
    std::shared_ptr<detail::Registry> registry_;
    std::unique_ptr<detail::Listener> listener_;
};

// Listens for `signum` on the current runtime.
[[nodiscard]] Signal signal(int signum);

// Completes at the next SIGINT (it listens from the moment ctrl_c() is called).
class [[nodiscard]] CtrlC : public Pollable<CtrlC> {
   public:
    explicit CtrlC(Signal s) noexcept : signal_(std::move(s)), recv_(signal_) {}
    CtrlC(CtrlC&& other) noexcept : signal_(std::move(other.signal_)), recv_(signal_) {}
    CtrlC& operator=(CtrlC&&) = delete;
    bool poll(Context& cx) noexcept { return recv_.poll(cx); }
    void await_resume() const noexcept {}

   private:
    Signal signal_;
    Signal::Recv recv_;
};

[[nodiscard]] CtrlC ctrl_c();

}  // namespace weft::signal
