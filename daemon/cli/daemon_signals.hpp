// The signals weftd acts on while it runs, received through the runtime's own signal streams
// (runtime/signal/signal.hpp, Tokio's signal::unix): one signal path in the process, no second
// event loop. The main thread waits for them, answers SIGHUP and keeps the systemd watchdog fed.
//
// SIGINT and SIGTERM end the wait. SIGHUP (systemctl reload) runs the reload handler, if one is
// set, on the waiting thread; it never stops the process. The runtime listens from the moment
// the constructor returns, so from then on a signal can no longer be missed (weftd constructs it
// right after the runtime, before anything slow).
//
// One signal sent twice is one request. GNU `timeout -s INT`, a terminal's Ctrl-C and shells
// that forward signals deliver the same signal to the process and to its process group, so weftd
// sees it twice within microseconds (milliseconds on a loaded machine). A shutdown signal equal to
// the previous one and arriving within kDuplicateWindow of it is therefore dropped (logged at
// debug); another signal, or the same one later, ends the wait as usual. 250 ms is far above the
// delay between two deliveries of one kill (one scheduler tick, a few tens of ms when loaded) and
// below the time a person takes to see the first one acted on and press Ctrl-C again (a visual
// reaction takes about 250 ms), so a deliberate second Ctrl-C still forces the exit.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "runtime/handle.hpp"

namespace weft::cli {

class DaemonSignals {
   public:
    static constexpr std::chrono::milliseconds kDuplicateWindow{250};

    // Starts listening for SIGINT, SIGTERM and SIGHUP on `runtime`, which must be running (a
    // current_thread runtime driven by a thread), and returns once it listens. Throws
    // std::runtime_error naming a signal the runtime refused.
    explicit DaemonSignals(const Handle& runtime);
    DaemonSignals(const DaemonSignals&) = delete;
    DaemonSignals& operator=(const DaemonSignals&) = delete;

    // Waits until SIGINT or SIGTERM arrives; returns that signal's number, or 0 when wake() ended
    // the wait (weftd waits for a second signal while it shuts down). A duplicate of the signal
    // that ended the previous wait (see kDuplicateWindow) does not end this one. The thread that
    // set the reload handler.
    [[nodiscard]] int wait_for_shutdown_signal();
    // Ends the current or next wait_for_shutdown_signal() with 0. Any thread.
    void wake() noexcept;
    // What SIGHUP does from now on (an exception it throws is logged). The waiting thread.
    void on_reload(std::function<void()> handler) { reload_ = std::move(handler); }
    // Runs `work` on the waiting thread, between signals, in the order posted (weftd: a reload
    // asked for through the admin endpoint runs there, one at a time with SIGHUP's). Any thread.
    // False once close_posts() was called: `work` is not run.
    bool post(std::function<void()> work);
    // From now on post() refuses; what was posted and not run yet runs now, on this thread.
    void close_posts();

    struct Shared;  // between the runtime's listening tasks and the waiting thread

   private:
    std::shared_ptr<Shared> shared_;
    std::optional<std::chrono::milliseconds> watchdog_ping_;  // systemd's WatchdogSec / 2
    int last_signal_ = 0;  // the signal that ended the previous wait, or 0
    std::chrono::steady_clock::time_point last_signal_at_{};
    std::function<void()> reload_;
};

// "SIGTERM" for SIGTERM, and so on; "signal" for others.
[[nodiscard]] const char* signal_name(int signum) noexcept;

}  // namespace weft::cli
