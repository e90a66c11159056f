// JoinHandle<T>: the owned permission to await a spawned task's output.
//
// `co_await handle` gives the task's value, or throws JoinError (cancelled or failed). It may be
// awaited once. Dropping the handle detaches the task: it keeps running and its output is
// destroyed with it. Awaiting is cancellation safe: dropping a pending await loses nothing and
// the handle can be awaited again. abort() and is_finished() may be called from any thread; one
// handle is not meant to be used by two threads at once.
#pragma once

#include <coroutine>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/task/abort_handle.hpp"
#include "runtime/task/frame_alloc.hpp"
#include "runtime/task/harness.hpp"
#include "runtime/task/join_error.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"

namespace weft {

template <class T>
class [[nodiscard]] JoinHandle : public Pollable<JoinHandle<T>> {
   public:
    JoinHandle() noexcept = default;
    explicit JoinHandle(task::Header* task) noexcept : task_(task) {}
    JoinHandle(JoinHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
    JoinHandle& operator=(JoinHandle&& other) noexcept {
        if (this != &other) {
            reset();
            task_ = std::exchange(other.task_, nullptr);
        }
        return *this;
    }
    ~JoinHandle() { reset(); }

    // Cancels the task: an idle task is dropped at once, a running one at its next suspension.
    // No effect on a finished task.
    void abort() const noexcept {
        if (task_) task::abort(task_);
    }
    [[nodiscard]] bool is_finished() const noexcept {
        return task_ && (task_->state.load() & task::State::COMPLETE);
    }
    [[nodiscard]] bool valid() const noexcept { return task_ != nullptr; }
    // A handle that can abort the task but not await it; it stays valid after this JoinHandle
    // is dropped (an empty AbortHandle for an empty JoinHandle).
    [[nodiscard]] AbortHandle abort_handle() const noexcept { return AbortHandle(task_); }
    // The task's id (task_id.hpp), unique in the process; 0 for an empty handle.
    [[nodiscard]] std::uint64_t id() const noexcept { return task_ ? task::id_of(task_) : 0; }
    [[nodiscard]] task::Header* raw() const noexcept { return task_; }
    // Detaches now (as the destructor does).
    void detach() noexcept { reset(); }

    bool poll(Context& cx) noexcept {
        if (!coop::poll_proceed(cx)) return false;
        if (task::can_read_output(task_, cx.waker())) return true;
        coop::refund();
        return false;
    }
    T await_resume() { return take_output(); }

    // The output of a finished task (is_finished() must be true). Throws JoinError.
    T take_output() {
        if (!is_finished())
            throw std::logic_error("JoinHandle::take_output: the task has not finished");
        const auto state = task_->state.load();
        if (state & task::State::NO_OUTPUT) throw JoinError::cancelled(id());
        if (state & task::State::FAILED) throw JoinError::failed(id(), task_->take_error());
        if constexpr (!std::is_void_v<T>) return std::move(*task::output_of<T>(task_).value);
    }

   private:
    void reset() noexcept {
        if (task_) task::drop_join_handle(std::exchange(task_, nullptr));
    }
    task::Header* task_ = nullptr;
};

}  // namespace weft
