#include "cli/signal_loop.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <stdexcept>

#include "cli/systemd.hpp"

namespace weft::cli {
namespace {

void check(int status, const char* call) {
    if (status < 0)
        throw std::runtime_error(fmt::format("{} failed: {}", call, uv_strerror(status)));
}

}  // namespace

const char* signal_name(int signum) noexcept {
    switch (signum) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGHUP:
            return "SIGHUP";
        default:
            return "signal";
    }
}

SignalLoop::SignalLoop() {
    try {
        check(uv_loop_init(&loop_), "uv_loop_init");
        loop_open_ = true;
        loop_.data = this;
        check(uv_async_init(&loop_, &wake_, &SignalLoop::on_wake), "uv_async_init");
        open_handles_.push_back(reinterpret_cast<uv_handle_t*>(&wake_));
        wake_.data = this;
        start_signal(sigint_, SIGINT);
        start_signal(sigterm_, SIGTERM);
        start_signal(sighup_, SIGHUP);
        if (const auto interval = watchdog_ping_interval()) {
            check(uv_timer_init(&loop_, &watchdog_), "uv_timer_init");
            open_handles_.push_back(reinterpret_cast<uv_handle_t*>(&watchdog_));
            watchdog_.data = this;
            const auto ms = static_cast<std::uint64_t>(interval->count());
            check(uv_timer_start(&watchdog_, &SignalLoop::on_watchdog, ms, ms), "uv_timer_start");
            spdlog::debug("systemd watchdog: pinging every {} ms", ms);
        }
    } catch (...) {
        close_all();
        throw;
    }
}

SignalLoop::~SignalLoop() { close_all(); }

void SignalLoop::start_signal(uv_signal_t& handle, int signum) {
    check(uv_signal_init(&loop_, &handle), "uv_signal_init");
    open_handles_.push_back(reinterpret_cast<uv_handle_t*>(&handle));
    handle.data = this;
    check(uv_signal_start(&handle, &SignalLoop::on_signal, signum), "uv_signal_start");
}

int SignalLoop::wait_for_shutdown_signal() {
    shutdown_signal_ = 0;
    woken_ = false;
    // on_signal and on_wake stop the loop; run again if it returned for any other reason.
    while (shutdown_signal_ == 0 && !woken_) {
        uv_run(&loop_, UV_RUN_DEFAULT);
    }
    return shutdown_signal_;
}

void SignalLoop::on_signal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<SignalLoop*>(handle->data);
    if (signum == SIGHUP) {
        if (!self->reload_) {
            spdlog::info("received SIGHUP: nothing to reload");
            return;
        }
        try {
            self->reload_();
        } catch (const std::exception& e) {
            spdlog::error("reload failed: {}", e.what());
        }
        return;
    }
    const std::uint64_t now = uv_hrtime();
    const auto window_ns =
        static_cast<std::uint64_t>(std::chrono::nanoseconds(kDuplicateWindow).count());
    if (signum == self->last_signal_ && now - self->last_signal_ns_ < window_ns) {
        spdlog::debug("{} again within {} ms: the same request, ignored", signal_name(signum),
                      kDuplicateWindow.count());
        return;
    }
    self->last_signal_ = signum;
    self->last_signal_ns_ = now;
    self->shutdown_signal_ = signum;
    uv_stop(&self->loop_);
}

void SignalLoop::on_watchdog(uv_timer_t* /*handle*/) { notify_systemd("WATCHDOG=1"); }

void SignalLoop::wake() noexcept { uv_async_send(&wake_); }

void SignalLoop::on_wake(uv_async_t* handle) {
    auto* self = static_cast<SignalLoop*>(handle->data);
    self->woken_ = true;
    uv_stop(&self->loop_);
}

void SignalLoop::close_all() noexcept {
    if (!loop_open_) return;
    // Closing a signal handle restores the default disposition of its signal.
    for (auto it = open_handles_.rbegin(); it != open_handles_.rend(); ++it) {
        uv_close(*it, nullptr);
    }
    open_handles_.clear();
    uv_run(&loop_, UV_RUN_DEFAULT);  // completes the closes
    uv_loop_close(&loop_);
    loop_open_ = false;
}

}  // namespace weft::cli
