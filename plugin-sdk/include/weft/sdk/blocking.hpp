// weft::spawn_blocking: runs a function on the host's blocking pool, where it may block (file
// I/O, a blocking library), and awaits its result.
//
//   const std::size_t written = co_await weft::spawn_blocking([&] { return write_all(fd, buf); });
//
// GCC 12: a lambda with captures built inside the co_await expression is destroyed twice (a
// compiler bug; clang and later GCCs are fine). Name the handle first:
//
//   auto job = weft::spawn_blocking([text = std::move(text)] { return write(text); });
//   const bool ok = co_await job;
//
// The function runs on another thread: what it captures by reference must outlive the await
// (keep awaiting it; a dropped handle detaches the job, which runs on). An exception it throws
// is rethrown by `co_await`. Jobs not started when the daemon shuts down are dropped
// (co_await throws Error(WEFT_ERR_CANCELLED)).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

template <class R>
struct BlockingState {
    std::optional<R> value;
    std::exception_ptr error;
};
template <>
struct BlockingState<void> {
    std::exception_ptr error;
};

template <class F, class R>
struct BlockingJob {
    F fn;
    std::shared_ptr<BlockingState<R>> state;

    static weft_status run(void* arg) noexcept {
        auto* job = static_cast<BlockingJob*>(arg);
        try {
            if constexpr (std::is_void_v<R>) {
                std::invoke(job->fn);
            } else {
                job->state->value.emplace(std::invoke(job->fn));
            }
            return WEFT_OK;
        } catch (...) {
            job->state->error = std::current_exception();
            return WEFT_ERR_TASK_FAILED;
        }
    }
    static void drop(void* arg) noexcept { delete static_cast<BlockingJob*>(arg); }
};

}  // namespace detail

template <class R>
class [[nodiscard]] BlockingHandle : public Awaitable<BlockingHandle<R>> {
   public:
    BlockingHandle(weft_blocking* job, std::shared_ptr<detail::BlockingState<R>> state) noexcept
        : job_(job), state_(std::move(state)) {}
    BlockingHandle(BlockingHandle&& other) noexcept
        : Awaitable<BlockingHandle<R>>(other),
          job_(std::exchange(other.job_, nullptr)),
          state_(std::move(other.state_)) {}
    BlockingHandle& operator=(BlockingHandle&&) = delete;
    ~BlockingHandle() { detach(); }

    void detach() noexcept {
        if (job_) weft_blocking_release(std::exchange(job_, nullptr));
    }
    weft_status poll(weft_context* cx) noexcept {
        return job_ ? weft_blocking_join(cx, job_) : WEFT_ERR_INVALID_ARGUMENT;
    }
    R await_resume() {
        if (this->status_ == WEFT_OK) {
            if constexpr (std::is_void_v<R>) {
                return;
            } else {
                return std::move(*state_->value);
            }
        }
        if (state_->error) std::rethrow_exception(state_->error);
        throw Error(this->status_, "weft::spawn_blocking");
    }

   private:
    weft_blocking* job_ = nullptr;
    std::shared_ptr<detail::BlockingState<R>> state_;
};

template <class F>
auto spawn_blocking(const Host& host, F fn) -> BlockingHandle<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    using Job = detail::BlockingJob<F, R>;
    auto state = std::make_shared<detail::BlockingState<R>>();
    auto job = std::make_unique<Job>(Job{std::move(fn), state});
    weft_blocking* handle = nullptr;
    detail::check(weft_blocking_spawn(host.raw(), &Job::run, job.get(), &Job::drop, &handle),
                  "weft::spawn_blocking", host.api());
    job.release();  // the host drops it through Job::drop
    return BlockingHandle<R>(handle, std::move(state));
}

// From inside a plugin task.
template <class F>
auto spawn_blocking(F fn) {
    return spawn_blocking(detail::current_host(), std::move(fn));
}

}  // namespace sdk
}  // namespace weft
