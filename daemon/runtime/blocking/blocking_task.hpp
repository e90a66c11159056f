// BlockingTask: one spawn_blocking call, shared by the pool (which runs it) and the
// BlockingHandle (which awaits it). One allocation holds the closure, the output and the state.
//
// State word (one atomic):
//   STARTED    a pool thread took it and will run the closure (abort() is then too late)
//   COMPLETE   the output (or the exception, or DROPPED) is written; the handle may read it
//   WAKER      the slot holds the handle's waker: the handle may read it (will_wake), completing
//              wakes it by ref; after COMPLETE nobody writes it (Tokio's join-waker, as harness)
//   CANCELLED  abort() asked not to start it
//   DROPPED    it never ran: aborted before starting, or dropped by a runtime shutdown
// Two references: the pool's (released after completing) and the handle's; the last one frees.
//
// Orderings: setting COMPLETE is a release that publishes the output, and every reader of the
// state acquires before reading it; setting WAKER is a release that publishes the waker slot to
// the completing side, whose RMW acquires it (and clearing WAKER hands the slot back the same
// way). CANCELLED carries no data (the pool thread reads it in the
// same read-modify-write that sets STARTED), so abort()'s acq_rel is stronger than it needs to be;
// it stays so that every RMW of the word reads alike, and abort() is rare.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "runtime/task/task_id.hpp"
#include "runtime/task/waker.hpp"

namespace weft::detail {

class BlockingTask {
   public:
    static constexpr std::uint32_t STARTED = 1u << 0;
    static constexpr std::uint32_t COMPLETE = 1u << 1;
    static constexpr std::uint32_t WAKER = 1u << 2;
    static constexpr std::uint32_t CANCELLED = 1u << 3;
    static constexpr std::uint32_t DROPPED = 1u << 4;

    BlockingTask(const BlockingTask&) = delete;
    BlockingTask& operator=(const BlockingTask&) = delete;

    // Pool side. run(): runs the closure unless cancelled, then completes. drop(): destroys the
    // closure unrun and completes as DROPPED. Each consumes the pool's reference.
    void run() noexcept;
    void drop() noexcept;

    // Handle side.
    [[nodiscard]] bool poll_complete(const WakerRef& waker) noexcept;
    void abort() noexcept { state_.fetch_or(CANCELLED, std::memory_order_acq_rel); }
    [[nodiscard]] std::uint32_t state() const noexcept {
        return state_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
    // Drops the handle's reference (taking its waker back if still registered).
    void release_handle() noexcept;

    // The pool's queue links, under the pool's mutex.
    BlockingTask* queue_prev = nullptr;
    BlockingTask* queue_next = nullptr;

   protected:
    struct VTable {
        void (*invoke)(BlockingTask*) noexcept;      // runs the closure, stores the output
        void (*destroy_fn)(BlockingTask*) noexcept;  // destroys the closure unrun
        void (*free)(BlockingTask*) noexcept;        // deletes the whole object
    };
    explicit BlockingTask(const VTable* vtable) noexcept : vtable_(vtable), id_(task::next_id()) {}
    ~BlockingTask() = default;

   private:
    void complete(std::uint32_t bits) noexcept;
    void release() noexcept;

    const VTable* vtable_;
    std::uint64_t id_;
    std::atomic<std::uint32_t> refs_{2};
    std::atomic<std::uint32_t> state_{0};
    Waker waker_;
};

// The output part, by result type.
template <class R>
class BlockingOutput : public BlockingTask {
   public:
    R take() {
        if (error_) std::rethrow_exception(error_);
        return std::move(*value_);
    }
    [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }

   protected:
    using BlockingTask::BlockingTask;
    template <class F>
    void invoke_into(F& f) noexcept {
        try {
            value_.emplace(f());
        } catch (...) {
            error_ = std::current_exception();
        }
    }

   private:
    std::optional<R> value_;
    std::exception_ptr error_;
};

template <>
class BlockingOutput<void> : public BlockingTask {
   public:
    void take() {
        if (error_) std::rethrow_exception(error_);
    }
    [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }

   protected:
    using BlockingTask::BlockingTask;
    template <class F>
    void invoke_into(F& f) noexcept {
        try {
            f();
        } catch (...) {
            error_ = std::current_exception();
        }
    }

   private:
    std::exception_ptr error_;
};

template <class F, class R>
class BlockingTaskImpl final : public BlockingOutput<R> {
   public:
    template <class G>
    explicit BlockingTaskImpl(G&& fn) : BlockingOutput<R>(&kVTable), fn_(std::forward<G>(fn)) {}

   private:
    static void invoke(BlockingTask* t) noexcept {
        auto* self = static_cast<BlockingTaskImpl*>(t);
        self->invoke_into(*self->fn_);
        self->fn_.reset();  // the closure goes as soon as it ran, as in Tokio
    }
    static void destroy_fn(BlockingTask* t) noexcept {
        static_cast<BlockingTaskImpl*>(t)->fn_.reset();
    }
    static void free(BlockingTask* t) noexcept {
        std::unique_ptr<BlockingTaskImpl>(static_cast<BlockingTaskImpl*>(t)).reset();
    }
    static constexpr typename BlockingTask::VTable kVTable{&invoke, &destroy_fn, &free};

    std::optional<F> fn_;
};

}  // namespace weft::detail
