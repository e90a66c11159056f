#include "host/plugin/task_watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace weft::host {
namespace {

// The watch whose poll runs on this thread: a wake from inside it is a self-wake.
thread_local const TaskWatch* t_polling = nullptr;

std::int64_t steady_ns(std::chrono::steady_clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Warnings need this many wakes before the self-wake share means something.
constexpr std::uint64_t kSelfWakeMinimum = 100;

using Allocator = std::allocator<TaskWatch>;
using Traits = std::allocator_traits<Allocator>;

}  // namespace

const WakerVTable TaskWatch::kVTable{&TaskWatch::clone, &TaskWatch::wake, &TaskWatch::wake_by_ref,
                                     &TaskWatch::drop};

TaskWatch::TaskWatch(std::uint64_t task, std::string name) noexcept
    : task_(task), name_(std::move(name)), created_(std::chrono::steady_clock::now()) {}

TaskWatch* TaskWatch::make(std::uint64_t task, std::string name) {
    // An intrusive reference count shared with wakers that hold only a pointer: allocated and
    // freed through std::allocator, as a shared_ptr's control block would be.
    Allocator allocator;
    TaskWatch* watch = Traits::allocate(allocator, 1);
    Traits::construct(allocator, watch, task, std::move(name));
    return watch;
}

void TaskWatch::release() noexcept {
    // acq_rel: the last release sees every write of the others before it frees.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    Allocator allocator;
    Traits::destroy(allocator, this);
    Traits::deallocate(allocator, this, 1);
}

WakerRef TaskWatch::begin_poll(const WakerRef& task_waker) noexcept {
    if (!task_waker_) task_waker_ = task_waker.clone();
    woken_.store(false, std::memory_order_relaxed);
    in_poll_.store(true, std::memory_order_relaxed);
    t_polling = this;
    return WakerRef(this, &kVTable);
}

void TaskWatch::end_poll(std::chrono::nanoseconds took, bool pending) noexcept {
    t_polling = nullptr;
    polls_.fetch_add(1, std::memory_order_relaxed);
    busy_ns_.fetch_add(took.count(), std::memory_order_relaxed);
    if (took.count() > longest_ns_.load(std::memory_order_relaxed))
        longest_ns_.store(took.count(), std::memory_order_relaxed);  // only this thread writes
    last_poll_end_ns_.store(steady_ns(std::chrono::steady_clock::now()), std::memory_order_relaxed);
    pending_.store(pending, std::memory_order_relaxed);
    in_poll_.store(false, std::memory_order_relaxed);
}

void TaskWatch::count_wake() noexcept {
    wakes_.fetch_add(1, std::memory_order_relaxed);
    if (t_polling == this) self_wakes_.fetch_add(1, std::memory_order_relaxed);
    woken_.store(true, std::memory_order_relaxed);
}

const void* TaskWatch::clone(const void* data) noexcept {
    auto* watch = static_cast<TaskWatch*>(const_cast<void*>(data));
    watch->refs_.fetch_add(1, std::memory_order_relaxed);  // from a reference already held
    watch->wakers_.fetch_add(1, std::memory_order_relaxed);
    return data;
}

void TaskWatch::wake(const void* data) noexcept {
    wake_by_ref(data);
    drop(data);
}

void TaskWatch::wake_by_ref(const void* data) noexcept {
    auto* watch = static_cast<TaskWatch*>(const_cast<void*>(data));
    watch->count_wake();
    watch->task_waker_.wake_by_ref();
}

void TaskWatch::drop(const void* data) noexcept {
    auto* watch = static_cast<TaskWatch*>(const_cast<void*>(data));
    watch->wakers_.fetch_sub(1, std::memory_order_relaxed);
    watch->release();
}

TaskWatchView TaskWatch::view(std::chrono::steady_clock::time_point now,
                              std::chrono::nanoseconds long_poll) const {
    TaskWatchView v;
    v.task = task_;
    v.name = name_;
    const bool running = in_poll_.load(std::memory_order_relaxed);
    const bool woken = woken_.load(std::memory_order_relaxed);
    v.state = running ? "running" : woken ? "scheduled" : "idle";
    v.polls = polls_.load(std::memory_order_relaxed);
    v.busy = std::chrono::nanoseconds(busy_ns_.load(std::memory_order_relaxed));
    v.longest_poll = std::chrono::nanoseconds(longest_ns_.load(std::memory_order_relaxed));
    v.age = now - created_;
    const std::int64_t ended = last_poll_end_ns_.load(std::memory_order_relaxed);
    if (!running && ended != 0)
        v.idle = std::chrono::nanoseconds(std::max<std::int64_t>(0, steady_ns(now) - ended));
    v.wakes = wakes_.load(std::memory_order_relaxed);
    v.self_wakes = self_wakes_.load(std::memory_order_relaxed);
    v.wakers = wakers_.load(std::memory_order_relaxed);

    if (v.wakes >= kSelfWakeMinimum && v.self_wakes * 2 > v.wakes)
        v.warnings.push_back(fmt::format(
            "self-wakes: {} of its {} wakes came from its own poll (it yields in a loop instead of "
            "waiting for something)",
            v.self_wakes, v.wakes));
    if (!running && !woken && v.polls > 0 && pending_.load(std::memory_order_relaxed) &&
        v.wakers <= 0)
        v.warnings.push_back(
            "lost waker: it is waiting and no waker of it is left, so nothing can wake it (its "
            "poll returned pending without registering the waker)");
    if (long_poll.count() > 0 && v.longest_poll >= long_poll)
        v.warnings.push_back(fmt::format(
            "long poll: its longest poll took {} ms (threshold {} ms)",
            std::chrono::duration_cast<std::chrono::milliseconds>(v.longest_poll).count(),
            std::chrono::duration_cast<std::chrono::milliseconds>(long_poll).count()));
    return v;
}

void TaskWatchList::add(TaskWatch* watch) noexcept {
    std::lock_guard lock(mutex_);
    watches_.push_back(watch);
}

void TaskWatchList::remove(TaskWatch* watch) noexcept {
    std::lock_guard lock(mutex_);
    watches_.remove(watch);
}

std::vector<TaskWatchView> TaskWatchList::views(std::chrono::nanoseconds long_poll) const {
    const auto now = std::chrono::steady_clock::now();
    std::vector<TaskWatchView> out;
    std::lock_guard lock(mutex_);
    for (const TaskWatch* w = watches_.front(); w; w = w->list_next)
        out.push_back(w->view(now, long_poll));
    return out;
}

}  // namespace weft::host
