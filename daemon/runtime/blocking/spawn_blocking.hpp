// weft::spawn_blocking: run a blocking function on the runtime's blocking pool and await its
// result (Tokio's `task::spawn_blocking`).
//
//   int n = co_await weft::spawn_blocking([] { return count_lines("/var/log/big"); });
//
// The function runs on a pool thread (pool.hpp: grows on demand up to max_blocking_threads,
// retires threads idle for thread_keep_alive). `co_await handle` gives its value; an exception it
// threw comes back as a failed weft::JoinError carrying it (JoinError::exception() rethrows the
// original), and work dropped unstarted by a runtime shutdown or by abort() gives a cancelled
// JoinError. Dropping a BlockingHandle detaches: the work still runs. abort() only prevents work
// that has not started (blocking code cannot be interrupted), as in Tokio.
//
// Awaiting is cancellation safe and consumes coop budget. A BlockingHandle is used by one task
// at a time; abort() and is_finished() may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/blocking/blocking_task.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/handle.hpp"
#include "runtime/task/join_error.hpp"
#include "runtime/task/pollable.hpp"

namespace weft {

template <class R>
class [[nodiscard]] BlockingHandle : public Pollable<BlockingHandle<R>> {
   public:
    BlockingHandle() noexcept = default;
    explicit BlockingHandle(detail::BlockingOutput<R>* task) noexcept : task_(task) {}
    BlockingHandle(BlockingHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
    BlockingHandle& operator=(BlockingHandle&& other) noexcept {
        if (this != &other) {
            detach();
            task_ = std::exchange(other.task_, nullptr);
        }
        return *this;
    }
    ~BlockingHandle() { detach(); }

    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        if (task_->poll_complete(cx.waker())) return true;
        coop::refund();
        return false;
    }
    R await_resume() { return take_output(); }

    // The output of finished work (is_finished() must be true). Throws JoinError.
    R take_output() {
        if (task_->state() & detail::BlockingTask::DROPPED) throw JoinError::cancelled(id());
        if (task_->error()) throw JoinError::failed(id(), task_->error());
        return task_->take();
    }

    // Prevents the work from starting if it has not yet (it then reports cancelled).
    void abort() const noexcept {
        if (task_) task_->abort();
    }
    [[nodiscard]] bool is_finished() const noexcept {
        return task_ && (task_->state() & detail::BlockingTask::COMPLETE);
    }
    [[nodiscard]] bool valid() const noexcept { return task_ != nullptr; }
    // The job's id, from the same sequence as spawned tasks' (task_id.hpp); 0 when empty.
    [[nodiscard]] std::uint64_t id() const noexcept { return task_ ? task_->id() : 0; }
    void detach() noexcept {
        if (task_) std::exchange(task_, nullptr)->release_handle();
    }

   private:
    detail::BlockingOutput<R>* task_ = nullptr;
};

namespace detail {

// The blocking pool of the current runtime; throws std::logic_error outside one.
[[nodiscard]] SchedulerHandle& current_scheduler(const char* what);
void submit_blocking(SchedulerHandle& runtime, BlockingTask* task) noexcept;

template <class F>
using BlockingResult = std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&>>;

template <class F>
BlockingHandle<BlockingResult<F>> spawn_blocking_with(SchedulerHandle& runtime, F&& fn) {
    using R = BlockingResult<F>;
    auto task = std::make_unique<BlockingTaskImpl<std::decay_t<F>, R>>(std::forward<F>(fn));
    auto* raw = task.release();  // two references now: the pool's and the handle's
    BlockingHandle<R> handle(raw);
    submit_blocking(runtime, raw);
    return handle;
}

}  // namespace detail

// Runs `fn()` on the current runtime's blocking pool. Throws std::logic_error outside a runtime.
template <class F>
requires std::is_invocable_v < std::decay_t<F>
& > [[nodiscard]] BlockingHandle<detail::BlockingResult<F>> spawn_blocking(F&& fn) {
    return detail::spawn_blocking_with(detail::current_scheduler("weft::spawn_blocking"),
                                       std::forward<F>(fn));
}

// Runs `fn()` on `handle`'s runtime's blocking pool, from any thread (Handle::spawn_blocking in
// Tokio). The work starts at once, even if no thread is running the runtime's tasks.
template <class F>
requires std::is_invocable_v < std::decay_t<F>
& > [[nodiscard]] BlockingHandle<detail::BlockingResult<F>> spawn_blocking_on(const Handle& handle,
                                                                              F&& fn) {
    return detail::spawn_blocking_with(detail::scheduler_of(handle), std::forward<F>(fn));
}

}  // namespace weft
