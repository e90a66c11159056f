// weft::first_of: waits for whichever of two awaitables is ready first (Tokio's select! for two
// branches, biased: the first is polled first). The other is cancelled (destroyed), with the
// cancellation safety its own header documents.
//
//   auto r = co_await weft::first_of(shutdown().requested(), rx.recv());
//   if (r.index() == 0) co_return;                 // shutting down
//   auto& msg = std::get<1>(r);                    // std::optional<T> from recv()
//
// The result is a std::variant of the two results (std::monostate for a void one).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

template <class A, class B>
class [[nodiscard]] FirstOf : public Awaitable<FirstOf<A, B>> {
    template <class X>
    using result_of = decltype(std::declval<X&>().await_resume());
    template <class R>
    using stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

   public:
    using result = std::variant<stored<result_of<A>>, stored<result_of<B>>>;

    FirstOf(A a, B b) : a_(std::move(a)), b_(std::move(b)) {}
    FirstOf(FirstOf&&) = default;

    weft_status poll(weft_context* cx) noexcept {
        if (a_.poll_status(cx) != WEFT_PENDING) {
            winner_ = 0;
            return WEFT_OK;
        }
        if (b_.poll_status(cx) != WEFT_PENDING) {
            winner_ = 1;
            return WEFT_OK;
        }
        return WEFT_PENDING;
    }
    result await_resume() {
        if (winner_ == 0) return take<0>(a_);
        return take<1>(b_);
    }

   private:
    template <std::size_t I, class X>
    result take(X& x) {
        if constexpr (std::is_void_v<result_of<X>>) {
            x.await_resume();
            return result(std::in_place_index<I>);
        } else {
            return result(std::in_place_index<I>, x.await_resume());
        }
    }
    A a_;
    B b_;
    int winner_ = -1;
};

template <class A, class B>
[[nodiscard]] FirstOf<std::remove_cvref_t<A>, std::remove_cvref_t<B>> first_of(A&& a, B&& b) {
    return {std::forward<A>(a), std::forward<B>(b)};
}

}  // namespace sdk
}  // namespace weft
