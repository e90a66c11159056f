// weft::join / weft::try_join: await several awaitables at once, inside the awaiting task
// (Tokio's `join!` and `try_join!`).
//
//     auto [user, orders] = co_await weft::join(fetch_user(id), fetch_orders(id));
//     auto [a, b] = co_await weft::try_join(handle_a, step_b());   // throws the first failure
//
// Each argument is a leaf awaitable (a JoinHandle, a channel recv, a Sleep, ...: taken by value
// when an rvalue, by reference when an lvalue) or a weft::Task, which is driven inside the
// awaiting task, not spawned: all of them make progress concurrently on the awaiting task's
// thread and budget (no parallelism; spawn for that). Every poll of the join polls each one that
// has not finished. The value is a std::tuple of their values in argument order, std::monostate
// for a void one.
//
// Failures are exceptions (a Task that throws, a JoinHandle of a failed or cancelled task).
// join() waits for every awaitable, then rethrows the first failure (by completion order) if any.
// try_join() stops at the first failure: it drops every awaitable still running at once (a Task's
// destructors run, a JoinHandle detaches, a pending recv deregisters), then rethrows it.
//
// Cancellation safety: dropping a join drops every awaitable it holds; it is as safe as they are.
// Coop: each inner awaitable spends budget as it would alone.
// Thread-safety: a join belongs to the task that awaits it.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "runtime/task/pollable.hpp"
#include "runtime/time/timeout.hpp"

namespace weft {
namespace detail {

template <class Inner>
using join_value_t = std::conditional_t<
    std::is_void_v<std::remove_cvref_t<decltype(std::declval<Inner&>().await_resume())>>,
    std::monostate, std::remove_cvref_t<decltype(std::declval<Inner&>().await_resume())>>;

template <bool StopAtFirstFailure, class... Inner>
class [[nodiscard]] Join : public Pollable<Join<StopAtFirstFailure, Inner...>> {
   public:
    using value_type = std::tuple<join_value_t<Inner>...>;

    template <class... Args>
    explicit Join(std::in_place_t, Args&&... args) : inners_(std::forward<Args>(args)...) {}

    bool poll(Context& cx) noexcept {
        poll_each(cx, std::index_sequence_for<Inner...>{});
        if (StopAtFirstFailure && error_) {
            drop_all(std::index_sequence_for<Inner...>{});
            return true;
        }
        return left_ == 0;
    }
    value_type await_resume() {
        if (error_) std::rethrow_exception(error_);
        return take(std::index_sequence_for<Inner...>{});
    }

   private:
    template <std::size_t... I>
    void poll_each(Context& cx, std::index_sequence<I...>) noexcept {
        // Stop polling the others once one failed, when the join stops at the first failure.
        (void)((poll_one<I>(cx), !(StopAtFirstFailure && error_)) && ...);
    }
    template <std::size_t I>
    void poll_one(Context& cx) noexcept {
        auto& inner = std::get<I>(inners_);
        if (!inner || !inner->poll(cx)) return;
        try {
            if constexpr (std::is_void_v<decltype(inner->await_resume())>) {
                inner->await_resume();
                std::get<I>(values_).emplace();
            } else {
                std::get<I>(values_).emplace(inner->await_resume());
            }
        } catch (...) {
            if (!error_) error_ = std::current_exception();
        }
        inner.reset();
        --left_;
    }
    template <std::size_t... I>
    void drop_all(std::index_sequence<I...>) noexcept {
        (std::get<I>(inners_).reset(), ...);
    }
    template <std::size_t... I>
    value_type take(std::index_sequence<I...>) {
        return value_type(std::move(*std::get<I>(values_))...);
    }

    std::tuple<std::optional<Inner>...> inners_;
    std::tuple<std::optional<join_value_t<Inner>>...> values_;
    std::exception_ptr error_;
    std::size_t left_ = sizeof...(Inner);
};

}  // namespace detail

// Awaits every argument concurrently; their values as a tuple. Rethrows the first failure once
// all are done.
template <class... A>
requires(time::detail::Boundable<A>&&...) [[nodiscard]] auto join(A&&... awaitables) {
    return detail::Join<false, typename time::detail::TimeoutInner<A>::type...>(
        std::in_place, std::forward<A>(awaitables)...);
}

// Awaits every argument concurrently; at the first failure drops the others and rethrows it.
template <class... A>
requires(time::detail::Boundable<A>&&...) [[nodiscard]] auto try_join(A&&... awaitables) {
    return detail::Join<true, typename time::detail::TimeoutInner<A>::type...>(
        std::in_place, std::forward<A>(awaitables)...);
}

}  // namespace weft
