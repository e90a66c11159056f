// AbortHandle: the permission to abort a spawned task, without the permission to await it
// (Tokio's `task::AbortHandle`). Made by JoinHandle::abort_handle() and returned by
// JoinSet::spawn.
//
// abort() cancels the task as JoinHandle::abort() does: an idle task is dropped at once, a running
// one at its next suspension, a finished one is left alone; whoever awaits it gets a cancelled
// JoinError. Dropping an AbortHandle does nothing to the task (it only gives back its reference).
// Copyable: each copy holds one reference on the task's block, so is_finished() and id() stay
// valid after the task completed and its JoinHandle went. Every member may be called from any
// thread.
#pragma once

#include <cstdint>
#include <utility>

#include "runtime/task/frame_alloc.hpp"
#include "runtime/task/harness.hpp"

namespace weft {

class AbortHandle {
   public:
    AbortHandle() noexcept = default;
    // Takes a reference of its own on `task` (null makes an empty handle).
    explicit AbortHandle(task::Header* task) noexcept : task_(task) {
        if (task_) task_->state.ref_inc();
    }
    AbortHandle(const AbortHandle& other) noexcept : AbortHandle(other.task_) {}
    AbortHandle(AbortHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
    AbortHandle& operator=(AbortHandle other) noexcept {
        std::swap(task_, other.task_);
        return *this;
    }
    ~AbortHandle() {
        if (task_) task::drop_reference(task_);
    }

    // Cancels the task (see above). No effect on an empty handle or a finished task.
    void abort() const noexcept {
        if (task_) task::abort(task_);
    }
    // True once the task completed, however it ended (value, failure or cancellation).
    [[nodiscard]] bool is_finished() const noexcept {
        return task_ && (task_->state.load() & task::State::COMPLETE);
    }
    // The task's id (task_id.hpp), the one its JoinHandle and JoinError give; 0 when empty.
    [[nodiscard]] std::uint64_t id() const noexcept { return task_ ? task::id_of(task_) : 0; }
    [[nodiscard]] bool valid() const noexcept { return task_ != nullptr; }

   private:
    task::Header* task_ = nullptr;
};

}  // namespace weft
