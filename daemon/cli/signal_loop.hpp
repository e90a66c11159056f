// The main thread's libuv loop while weftd runs: it waits for the shutdown signal, answers SIGHUP
// and keeps the systemd watchdog fed.
//
// SIGINT and SIGTERM end the wait. SIGHUP (systemctl reload) runs the reload handler, if one is
// set, on the loop's thread; it never stops the process. Handlers are installed in the
// constructor, so once it returns a signal can no longer be missed.
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

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace weft::cli {

class SignalLoop {
   public:
    static constexpr std::chrono::milliseconds kDuplicateWindow{250};

    // Throws std::runtime_error naming the libuv call that failed.
    SignalLoop();
    ~SignalLoop();
    SignalLoop(const SignalLoop&) = delete;
    SignalLoop& operator=(const SignalLoop&) = delete;

    // Runs the loop until SIGINT or SIGTERM arrives; returns that signal's number, or 0 when
    // wake() ended the wait (weftd waits for a second signal while it shuts down). A duplicate of
    // the signal that ended the previous wait (see kDuplicateWindow) does not end this one.
    [[nodiscard]] int wait_for_shutdown_signal();
    // Ends the current or next wait_for_shutdown_signal() with 0. Any thread.
    void wake() noexcept;
    // What SIGHUP does from now on (an exception it throws is logged). The loop's thread.
    void on_reload(std::function<void()> handler) { reload_ = std::move(handler); }

   private:
    static void on_signal(uv_signal_t* handle, int signum);
    static void on_watchdog(uv_timer_t* handle);
    static void on_wake(uv_async_t* handle);
    void start_signal(uv_signal_t& handle, int signum);
    void close_all() noexcept;

    uv_loop_t loop_{};
    bool loop_open_ = false;
    uv_signal_t sigint_{};
    uv_signal_t sigterm_{};
    uv_signal_t sighup_{};
    uv_timer_t watchdog_{};
    uv_async_t wake_{};
    bool woken_ = false;
    std::vector<uv_handle_t*> open_handles_;  // initialised handles, closed in reverse order
    int shutdown_signal_ = 0;
    int last_signal_ = 0;               // the signal that ended the previous wait, or 0
    std::uint64_t last_signal_ns_ = 0;  // when it was handled (uv_hrtime)
    std::function<void()> reload_;
};

// "SIGTERM" for SIGTERM, and so on; "signal N" for others.
[[nodiscard]] const char* signal_name(int signum) noexcept;

}  // namespace weft::cli
