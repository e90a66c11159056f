// PendingAwait: what a suspended task waits on (see pollable.hpp).
#pragma once

#include <coroutine>

#include "runtime/task/context.hpp"

namespace weft::detail {

// Marks the types weft::Task accepts after co_await: only these take part in waking.
struct AwaitableTag {};

// The awaiter a task is suspended on: polled again by the scheduler before the coroutine resumes.
struct PendingAwait {
    bool (*poll_fn)(PendingAwait*, Context&) noexcept = nullptr;
    std::coroutine_handle<> continuation;
};

}  // namespace weft::detail
