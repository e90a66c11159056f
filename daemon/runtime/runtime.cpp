#include "runtime/runtime.hpp"

#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/scheduler/current_thread/current_thread.hpp"
#include "runtime/scheduler/multi_thread/multi_thread.hpp"

namespace weft {
namespace detail {

void check_may_block_on(const char* call) {
    if (tls().worker || tls().task)
        throw std::logic_error(std::string(call) +
                               " called on a runtime thread (in a task, in block_on or on a "
                               "worker): a runtime cannot be blocked on from inside one");
}

void block_until_complete(SchedulerHandle& scheduler, task::Header* root) {
    if (tls().task) throw std::logic_error("Runtime::block_on called from inside a task");
    scheduler.block_until_complete(root);
}

task::Header* bind_to(SchedulerHandle& scheduler, std::coroutine_handle<> h) noexcept {
    return task::bind(h, &scheduler);
}

void spawn_bound(SchedulerHandle& scheduler, task::Header* t) noexcept { scheduler.spawn(t); }

}  // namespace detail

namespace {
std::shared_ptr<detail::SchedulerHandle> make_scheduler(const RuntimeConfig& config) {
    if (auto error = Builder::validate(config))
        throw BuildError("invalid runtime setting: " + *error);
    if (config.flavor == Flavor::current_thread)
        return std::make_shared<detail::CurrentThread>(config);
    return detail::make_multi_thread(config);
}
}  // namespace

Runtime::Runtime(const RuntimeConfig& config) : scheduler_(make_scheduler(config)) {}
Runtime::Runtime(Runtime&&) noexcept = default;
Runtime& Runtime::operator=(Runtime&& other) noexcept {
    if (this != &other) {
        if (scheduler_) scheduler_->shutdown(std::chrono::nanoseconds::max());
        scheduler_ = std::move(other.scheduler_);
    }
    return *this;
}
Runtime::~Runtime() noexcept(false) {
    if (!scheduler_) return;
    if (detail::tls().worker) {
        // Shutting down waits for the workers and the blocking pool: on a runtime thread that
        // blocks a worker, and on one of this runtime's own threads it would wait for itself.
        // The shutdown goes to a thread of its own; the caller learns of the mistake, as Tokio
        // panics here.
        std::thread([s = std::move(scheduler_)] {
            s->shutdown(std::chrono::nanoseconds::max());
        }).detach();
        throw std::logic_error(
            "weft::Runtime destroyed from inside a runtime (in block_on or on a worker thread), "
            "where blocking is not allowed: destroy it outside, or on a spawn_blocking thread");
    }
    scheduler_->shutdown(std::chrono::nanoseconds::max());
}

RuntimeMetrics Runtime::metrics() const { return scheduler_->metrics(); }
const RuntimeConfig& Runtime::config() const { return scheduler_->config(); }

void Runtime::shutdown_timeout(std::chrono::milliseconds timeout) { scheduler_->shutdown(timeout); }

void Runtime::shutdown_background() {
    if (detail::tls().worker)
        throw std::logic_error(
            "weft::Runtime::shutdown_background called on a runtime thread (in block_on or on a "
            "worker), where blocking is not allowed: call it outside, or on a spawn_blocking "
            "thread");
    scheduler_->shutdown(std::chrono::nanoseconds::zero());
}

Handle::EnterGuard::EnterGuard(std::shared_ptr<detail::SchedulerHandle> scheduler) noexcept
    : scheduler_(std::move(scheduler)), previous_(detail::tls().scheduler) {
    detail::tls().scheduler = scheduler_.get();
}

Handle::EnterGuard::~EnterGuard() { detail::tls().scheduler = previous_; }

Handle Handle::current() {
    if (auto h = try_current()) return *h;
    throw std::logic_error("weft::Handle::current called outside a weft runtime");
}

std::optional<Handle> Handle::try_current() {
    detail::SchedulerHandle* s = detail::tls().scheduler;
    if (!s) return std::nullopt;
    return Handle(s->shared_from_this());
}

RuntimeMetrics Handle::metrics() const { return scheduler_->metrics(); }

}  // namespace weft
