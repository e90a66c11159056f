// weft::first_of and weft::select: wait for whichever of several awaitables is ready first
// (Tokio's select!), cancelling the others.
//
//   auto r = co_await weft::first_of(shutdown().requested(), rx.recv(), weft::sleep(5s));
//   switch (r.index()) {
//       case 0: co_return;                              // shutting down
//       case 1: handle(std::get<1>(r)); break;          // std::optional<T> from recv()
//       case 2: log().warn("idle for 5 s"); break;      // std::monostate: sleep gives void
//   }
//
// Any number of branches (at least one), each an SDK awaitable or a weft::Task (see
// weft/sdk/future.hpp for what is accepted, and how a Task becomes a branch). The result is a
// std::variant with one alternative per branch, in order (std::monostate for a void one);
// index() is the branch that won.
//
// Order. first_of is biased (Tokio's `biased;`): at each poll it tries the branches in order,
// so the first ready one wins. select starts at a branch chosen at random at each poll, as
// Tokio's select! does by default, so that a branch that is always ready cannot starve the ones
// after it.
//
// Losers. The moment a branch wins, the others are dropped, before the awaiting task resumes:
// their pending operations are cancelled (each is as cancel-safe as its own header says: a
// recv() that lost took no message; a send() that lost was not accepted; a child Task that lost
// is destroyed at its current await). The winner's exception, if it ended with one, is rethrown
// by co_await; a loser's outcome is never looked at.
//
// Thread-safety: as the task that awaits it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "weft/sdk/future.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

// A cheap per-thread generator for select's starting branch (xorshift64*: not cryptographic).
inline std::size_t random_below(std::size_t n) noexcept {
    thread_local std::uint64_t state =
        0x9E3779B97F4A7C15ull ^ reinterpret_cast<std::uintptr_t>(&state);
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<std::size_t>((state * 0x2545F4914F6CDD1Dull) % n);
}

}  // namespace detail

template <bool Biased, class... Fs>
class [[nodiscard]] Race : public Awaitable<Race<Biased, Fs...>> {
    static_assert(sizeof...(Fs) >= 1, "first_of/select needs at least one awaitable");
    static constexpr std::size_t N = sizeof...(Fs);

   public:
    using result = std::variant<typename detail::Branch<Fs>::value_type...>;

    // Each branch is built in place from its future, never moved (moving an empty outcome trips
    // GCC 12's -Wmaybe-uninitialized at -O1 with ASan, a false positive).
    explicit Race(Fs... futures) : branches_(std::move(futures)...) {}
    Race(Race&&) noexcept = default;

    weft_status poll(weft_context* cx) noexcept {
        if (winner_ != N) return WEFT_OK;
        const std::size_t start = Biased ? 0 : detail::random_below(N);
        for (std::size_t k = 0; k < N; ++k) {
            const std::size_t i = (start + k) % N;
            if (poll_branch(i, cx, std::make_index_sequence<N>{})) {
                winner_ = i;
                cancel_losers(std::make_index_sequence<N>{});
                return WEFT_OK;
            }
        }
        return WEFT_PENDING;
    }
    result await_resume() { return take(std::make_index_sequence<N>{}); }

   private:
    template <std::size_t... Is>
    bool poll_branch(std::size_t i, weft_context* cx, std::index_sequence<Is...>) noexcept {
        bool ready = false;
        ((i == Is ? (void)(ready = std::get<Is>(branches_).poll(cx)) : void()), ...);
        return ready;
    }
    template <std::size_t... Is>
    void cancel_losers(std::index_sequence<Is...>) noexcept {
        ((Is != winner_ ? std::get<Is>(branches_).cancel() : void()), ...);
    }
    template <std::size_t... Is>
    result take(std::index_sequence<Is...>) {
        std::optional<result> out;
        ((winner_ == Is ? (void)out.emplace(std::in_place_index<Is>, std::get<Is>(branches_).take())
                        : void()),
         ...);
        return std::move(*out);
    }

    std::tuple<detail::Branch<Fs>...> branches_;
    std::size_t winner_ = N;
};

// Biased: the first ready branch in argument order wins.
template <class... Fs>
using FirstOf = Race<true, Fs...>;
// Fair: a random starting branch at each poll.
template <class... Fs>
using Select = Race<false, Fs...>;

template <class... As>
[[nodiscard]] FirstOf<detail::future_t<As&&>...> first_of(As&&... awaitables) {
    return FirstOf<detail::future_t<As&&>...>(detail::into_future(std::forward<As>(awaitables))...);
}

template <class... As>
[[nodiscard]] Select<detail::future_t<As&&>...> select(As&&... awaitables) {
    return Select<detail::future_t<As&&>...>(detail::into_future(std::forward<As>(awaitables))...);
}

}  // namespace sdk
}  // namespace weft
