#include "cli/daemon_signals.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "cli/systemd.hpp"
#include "runtime/signal/signal.hpp"
#include "runtime/task/task.hpp"

namespace weft::cli {

using Clock = std::chrono::steady_clock;

struct DaemonSignals::Shared {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::pair<int, Clock::time_point>> deliveries;  // in arrival order
    bool woken = false;
    std::deque<std::function<void()>> posted;
    bool posts_closed = false;
    int listening = 0;  // listeners the runtime registered (or refused)
    std::string refused;
};

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// One listener: registers at once, then queues each delivery until the runtime shuts down.
Task<void> listen(std::shared_ptr<DaemonSignals::Shared> shared, int signum) {
    std::optional<signal::Signal> s;
    std::string refused;
    try {
        s.emplace(signal::signal(signum));
    } catch (const std::exception& e) {
        refused = fmt::format("{}: {}", signal_name(signum), e.what());
    }
    {
        std::lock_guard lock(shared->mutex);
        ++shared->listening;
        if (!refused.empty()) shared->refused = std::move(refused);
    }
    shared->cv.notify_all();
    if (!s) co_return;
    while (co_await s->recv()) {
        {
            std::lock_guard lock(shared->mutex);
            shared->deliveries.emplace_back(signum, Clock::now());
        }
        shared->cv.notify_all();
    }
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

DaemonSignals::DaemonSignals(const Handle& runtime)
    : shared_(std::make_shared<Shared>()), watchdog_ping_(watchdog_ping_interval()) {
    if (watchdog_ping_)
        spdlog::debug("systemd watchdog: pinging every {} ms", watchdog_ping_->count());
    for (int signum : kSignals) runtime.spawn(listen(shared_, signum)).detach();
    // Generous: registering takes one trip through the driver's loop.
    constexpr auto kLimit = std::chrono::seconds(30);
    std::unique_lock lock(shared_->mutex);
    const bool all = shared_->cv.wait_for(
        lock, kLimit, [&] { return shared_->listening == static_cast<int>(std::size(kSignals)); });
    if (!all) throw std::runtime_error("the runtime did not start listening for signals");
    if (!shared_->refused.empty())
        throw std::runtime_error("cannot listen for " + shared_->refused);
}

int DaemonSignals::wait_for_shutdown_signal() {
    const auto& ping = watchdog_ping_;
    auto next_ping = Clock::now() + ping.value_or(std::chrono::milliseconds(0));
    std::unique_lock lock(shared_->mutex);
    while (true) {
        if (!shared_->posted.empty()) {
            auto work = std::move(shared_->posted.front());
            shared_->posted.pop_front();
            lock.unlock();
            try {
                work();
            } catch (const std::exception& e) {
                spdlog::error("{}", e.what());
            }
            lock.lock();
            continue;
        }
        if (!shared_->deliveries.empty()) {
            const auto [signum, at] = shared_->deliveries.front();
            shared_->deliveries.pop_front();
            if (signum == SIGHUP) {
                lock.unlock();
                if (!reload_) {
                    spdlog::info("received SIGHUP: nothing to reload");
                } else {
                    try {
                        reload_();
                    } catch (const std::exception& e) {
                        spdlog::error("reload failed: {}", e.what());
                    }
                }
                lock.lock();
                continue;
            }
            if (signum == last_signal_ && at - last_signal_at_ < kDuplicateWindow) {
                spdlog::debug("{} again within {} ms: the same request, ignored",
                              signal_name(signum), kDuplicateWindow.count());
                continue;
            }
            last_signal_ = signum;
            last_signal_at_ = at;
            return signum;
        }
        if (shared_->woken) {
            shared_->woken = false;
            return 0;
        }
        if (!ping) {
            shared_->cv.wait(lock);
        } else if (shared_->cv.wait_until(lock, next_ping) == std::cv_status::timeout) {
            lock.unlock();
            notify_systemd("WATCHDOG=1");
            next_ping += *ping;
            lock.lock();
        }
    }
}

bool DaemonSignals::post(std::function<void()> work) {
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->posts_closed) return false;
        shared_->posted.push_back(std::move(work));
    }
    shared_->cv.notify_all();
    return true;
}

void DaemonSignals::close_posts() {
    std::deque<std::function<void()>> left;
    {
        std::lock_guard lock(shared_->mutex);
        shared_->posts_closed = true;
        left.swap(shared_->posted);
    }
    for (auto& work : left) {
        try {
            work();
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
        }
    }
}

void DaemonSignals::wake() noexcept {
    {
        std::lock_guard lock(shared_->mutex);
        shared_->woken = true;
    }
    shared_->cv.notify_all();
}

}  // namespace weft::cli
