// Result<T, E>: the value of a sync operation or the reason it has none, as Rust's `Result`.
//
// The sync primitives return errors as values (a closed channel, a full buffer, a lagging
// receiver are ordinary outcomes, not exceptions). A Result holds exactly one of a T or an E;
// `Result<void, E>` holds nothing or an E. Build an error with `Err{e}` (or `err(e)`):
//
//     Result<int, RecvError> r = err(RecvError{});
//     if (r) use(*r); else log(r.error().what());
//     int v = r.value();   // throws ResultError (a std::runtime_error) when r holds an error
//
// value() is the "unwrap": it throws ResultError whose what() is the error's what() when the
// error type has one. Every error type of weft::sync has a what().
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace weft::sync {

// Wraps an error to construct a Result holding it.
template <class E>
struct Err {
    E error;
};
template <class E>
Err(E) -> Err<E>;

template <class E>
[[nodiscard]] Err<std::decay_t<E>> err(E&& e) {
    return Err<std::decay_t<E>>{std::forward<E>(e)};
}

// Thrown by Result::value() when the Result holds an error.
class ResultError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

namespace detail {
template <class E>
[[nodiscard]] std::string describe_error(const E& e) {
    if constexpr (requires { e.what(); }) {
        return std::string(e.what());
    } else {
        return "weft::sync::Result holds an error";
    }
}
}  // namespace detail

template <class T, class E>
class [[nodiscard]] Result {
   public:
    using value_type = T;
    using error_type = E;

    Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT: implicit, as Ok
        : v_(std::in_place_index<0>, std::move(value)) {}
    template <class G>
    requires std::is_constructible_v<E, G&&> Result(Err<G> e)
    noexcept(std::is_nothrow_constructible_v<E, G&&>)  // NOLINT: implicit
        : v_(std::in_place_index<1>, std::move(e.error)) {}

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    [[nodiscard]] bool is_ok() const noexcept { return has_value(); }
    [[nodiscard]] bool is_err() const noexcept { return !has_value(); }
    explicit operator bool() const noexcept { return has_value(); }

    // The value; throws ResultError if this holds an error.
    T& value() & {
        check();
        return std::get<0>(v_);
    }
    const T& value() const& {
        check();
        return std::get<0>(v_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(v_));
    }
    // Unchecked access (has_value() must be true).
    T& operator*() & noexcept { return *std::get_if<0>(&v_); }
    const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
    T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
    T* operator->() noexcept { return std::get_if<0>(&v_); }
    const T* operator->() const noexcept { return std::get_if<0>(&v_); }

    // The error (has_value() must be false).
    E& error() & noexcept { return *std::get_if<1>(&v_); }
    const E& error() const& noexcept { return *std::get_if<1>(&v_); }
    E&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

    template <class U>
    [[nodiscard]] T value_or(U&& fallback) && {
        return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(fallback));
    }

   private:
    void check() const {
        if (!has_value()) throw ResultError(detail::describe_error(std::get<1>(v_)));
    }
    std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
   public:
    using value_type = void;
    using error_type = E;

    Result() noexcept : v_(std::in_place_index<0>) {}
    template <class G>
    requires std::is_constructible_v<E, G&&> Result(Err<G> e)
    noexcept(std::is_nothrow_constructible_v<E, G&&>)  // NOLINT: implicit
        : v_(std::in_place_index<1>, std::move(e.error)) {}

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    [[nodiscard]] bool is_ok() const noexcept { return has_value(); }
    [[nodiscard]] bool is_err() const noexcept { return !has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    // Throws ResultError if this holds an error.
    void value() const {
        if (!has_value()) throw ResultError(detail::describe_error(std::get<1>(v_)));
    }
    E& error() & noexcept { return *std::get_if<1>(&v_); }
    const E& error() const& noexcept { return *std::get_if<1>(&v_); }
    E&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

   private:
    std::variant<std::monostate, E> v_;
};

// Builds a successful Result<void, E>.
template <class E>
[[nodiscard]] Result<void, E> ok() noexcept {
    return Result<void, E>();
}

}  // namespace weft::sync
