// weft::join, weft::try_join, weft::join_all, weft::try_join_all: wait for several awaitables at
// once, within one plugin task (Tokio's join!/try_join! and futures' join_all/try_join_all).
//
//   auto [user, orders] = co_await weft::join(fetch_user(id), fetch_orders(id));  // Tasks
//   auto [a, b] = co_await weft::try_join(h1, h2);   // JoinHandles, awaited in place
//   std::vector<int> all = co_await weft::join_all(std::move(handles));   //
//   vector<JoinHandle<int>>
//
// Each argument is an SDK awaitable or a weft::Task (weft/sdk/future.hpp): the branches make
// progress concurrently on the awaiting task (no task is spawned; spawn, or use a JoinSet, for
// parallelism across workers). At each poll every unfinished branch is polled, in order.
//
// join waits for every branch, then gives a std::tuple of their results (std::monostate for a
// void one); if branches threw, the first one's exception (in argument order) is rethrown after
// all finished. join_all is the same over a std::vector of one awaitable type, giving a vector
// (or nothing, for void results) in the vector's order.
//
// try_join and try_join_all stop at the first branch that throws: the other branches are
// dropped at once (cancelled: a Task is destroyed at its current await, a pending operation
// cancelled; a JoinHandle by value detaches its task, as dropping one does in Tokio, so abort()
// first, or use a JoinSet, to stop the tasks themselves) and its exception is rethrown.
//
// Thread-safety: as the task that awaits it.
#pragma once

#include <cstddef>
#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/sdk/future.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

template <bool StopOnError, class... Fs>
class [[nodiscard]] JoinAllOf : public Awaitable<JoinAllOf<StopOnError, Fs...>> {
    static constexpr std::size_t N = sizeof...(Fs);

   public:
    using result = std::tuple<typename detail::Branch<Fs>::value_type...>;

    // Each branch is built in place from its future, never moved (moving an empty outcome trips
    // GCC 12's -Wmaybe-uninitialized at -O1 with ASan, a false positive).
    explicit JoinAllOf(Fs... futures) : branches_(std::move(futures)...) {}
    JoinAllOf(JoinAllOf&&) noexcept = default;

    weft_status poll(weft_context* cx) noexcept {
        bool all = true;
        bool failed = false;
        const auto step = [&](auto& branch) {
            if (failed) return;  // try_join: a branch failed, the others are dropped below
            if (!branch.poll(cx)) {
                all = false;
                return;
            }
            if (StopOnError && branch.failed()) failed = true;
        };
        std::apply([&](auto&... b) { (step(b), ...); }, branches_);
        if (failed) {
            std::apply([](auto&... b) { (b.cancel(), ...); }, branches_);
            return WEFT_OK;
        }
        return all ? WEFT_OK : WEFT_PENDING;
    }
    result await_resume() {
        // The first failure in argument order (for try_join, the only one that finished failed).
        std::exception_ptr first;
        std::apply(
            [&](auto&... b) { ((!first && b.failed() ? (void)(first = b.error()) : void()), ...); },
            branches_);
        if (first) std::rethrow_exception(first);
        return std::apply([](auto&... b) { return result(b.take()...); }, branches_);
    }

   private:
    std::tuple<detail::Branch<Fs>...> branches_;
};

template <class... As>
[[nodiscard]] JoinAllOf<false, detail::future_t<As&&>...> join(As&&... awaitables) {
    return JoinAllOf<false, detail::future_t<As&&>...>(
        detail::into_future(std::forward<As>(awaitables))...);
}
template <class... As>
[[nodiscard]] JoinAllOf<true, detail::future_t<As&&>...> try_join(As&&... awaitables) {
    return JoinAllOf<true, detail::future_t<As&&>...>(
        detail::into_future(std::forward<As>(awaitables))...);
}

// join_all / try_join_all over a vector of one future type.
template <bool StopOnError, class F>
class [[nodiscard]] JoinVector : public Awaitable<JoinVector<StopOnError, F>> {
    using Result = detail::result_t<F>;

   public:
    using result = std::conditional_t<std::is_void_v<Result>, void, std::vector<Result>>;

    explicit JoinVector(std::vector<detail::Branch<F>> branches) : branches_(std::move(branches)) {}
    JoinVector(JoinVector&&) noexcept = default;

    weft_status poll(weft_context* cx) noexcept {
        // Branches before `done_` have finished: skip them at each later poll.
        bool all = true;
        for (std::size_t i = done_; i < branches_.size(); ++i) {
            if (!branches_[i].poll(cx)) {
                all = false;
                continue;
            }
            if (all) done_ = i + 1;
            if (StopOnError && branches_[i].failed()) {
                for (auto& b : branches_) b.cancel();
                return WEFT_OK;
            }
        }
        return all ? WEFT_OK : WEFT_PENDING;
    }
    result await_resume() {
        for (auto& b : branches_)
            if (b.failed()) std::rethrow_exception(b.error());
        if constexpr (std::is_void_v<Result>) {
            return;
        } else {
            std::vector<Result> out;
            out.reserve(branches_.size());
            for (auto& b : branches_) out.push_back(b.take());
            return out;
        }
    }

   private:
    std::vector<detail::Branch<F>> branches_;
    std::size_t done_ = 0;
};

namespace detail {
template <bool StopOnError, class A>
auto join_vector(std::vector<A>&& awaitables) {
    using F = future_t<A&&>;
    std::vector<Branch<F>> branches;
    branches.reserve(awaitables.size());
    for (auto& a : awaitables) branches.emplace_back(into_future(std::move(a)));
    awaitables.clear();
    return JoinVector<StopOnError, F>(std::move(branches));
}
}  // namespace detail

template <class A>
[[nodiscard]] auto join_all(std::vector<A> awaitables) {
    return detail::join_vector<false>(std::move(awaitables));
}
template <class A>
[[nodiscard]] auto try_join_all(std::vector<A> awaitables) {
    return detail::join_vector<true>(std::move(awaitables));
}

}  // namespace sdk
}  // namespace weft
