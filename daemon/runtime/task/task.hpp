// weft::Task<T>: the coroutine type of everything the runtime runs.
//
// A Task is lazy: nothing runs until it is awaited (`co_await child()`, which runs it inline on
// the awaiting task, as an `async fn` call in Rust) or spawned (weft::spawn, which makes it a
// task of its own). Inside a Task, only weft awaitables may be awaited (the compiler says so
// otherwise), because only they know how to wake the task.
//
// Ownership: a Task owns its coroutine frame until it is awaited to completion, spawned
// (ownership moves to the runtime) or destroyed (the frame and everything in it are destroyed).
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "runtime/task/frame_alloc.hpp"
#include "runtime/task/pending_await.hpp"

namespace weft {

template <class T = void>
class Task;

namespace detail {

template <class A>
concept WeftAwaitable = std::is_base_of_v<AwaitableTag, std::remove_cvref_t<A>>;

template <class P>
struct AwaitRef {
    P& target;
    bool await_ready() { return target.await_ready(); }
    decltype(auto) await_suspend(std::coroutine_handle<> h) { return target.await_suspend(h); }
    decltype(auto) await_resume() { return target.await_resume(); }
};

template <class T>
class Promise;

// What every Task<T>'s promise shares. The result lives outside the frame (frame_alloc.hpp).
template <class T>
class PromiseBase {
   public:
    static void* operator new(std::size_t size) { return task::allocate_frame<T>(size); }
    static void operator delete(void* frame, std::size_t size) noexcept {
        task::deallocate_frame<T>(frame, size);
    }

    std::suspend_always initial_suspend() noexcept { return {}; }

    // Resumes the parent by symmetric transfer, so a loop of awaits of children that finish at
    // once stays in constant stack only where the compiler makes that a tail call (GCC 12 does at
    // -O2, not at -O0 nor with -fsanitize=address: tests/runtime/compiler/
    // symmetric_transfer_stack.cpp). The SDK's Task lets such a parent go on inside await_suspend
    // instead; doing the same here cost spawn_many_local (multi_thread) about 40% (two flags in
    // every promise), so it waits for a cheaper encoding.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            auto next = h.promise().continuation_;
            return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept { header()->store_error(std::current_exception()); }

    // An awaitable is awaited in place, through AwaitRef: returned by value, GCC 12 would copy an
    // lvalue, and an rvalue would be moved into a second object of the frame (a construction, a
    // move and two destructions per await). A temporary (`co_await sem.acquire()`) lives in the
    // frame until the end of the full expression, after the await. A child Task (awaited through
    // its rvalue operator co_await) is moved in, as before.
    template <class A>
    auto await_transform(A&& awaitable) noexcept {
        static_assert(WeftAwaitable<A>,
                      "a weft::Task may only co_await weft awaitables (Task, JoinHandle, sync, "
                      "time, ...): other awaitables cannot wake the task");
        if constexpr (requires { std::move(awaitable).operator co_await(); } &&
                      !std::is_lvalue_reference_v<A>) {
            static_assert(std::is_nothrow_move_constructible_v<std::remove_cvref_t<A>>);
            return std::remove_cvref_t<A>(std::move(awaitable));
        } else {
            return AwaitRef<std::remove_reference_t<A>>{awaitable};
        }
    }

    void set_continuation(std::coroutine_handle<> c) noexcept { continuation_ = c; }

    // The result: the value, or the exception the coroutine ended with. Once.
    T take() {
        task::Header* h = header();
        if (h->state.load(std::memory_order_relaxed) & task::State::FAILED)
            std::rethrow_exception(h->take_error());
        if constexpr (!std::is_void_v<T>) return std::move(*task::output_of<T>(header()).value);
    }

   protected:
    // The header in front of this coroutine's frame. Until Clang splits the coroutine, the
    // promise is an alloca of the coroutine function, so an address computed from it that lies in
    // front of the frame is out of bounds for LLVM and accesses through it may be dropped (the
    // family of llvm/llvm-project#105595). The empty asm hides where the address came from.
    // Minimal reproduction, clang 14 -O2 without it:
    // tests/runtime/compiler/promise_prefix_store.cpp.
    [[nodiscard]] task::Header* header() noexcept {
        void* frame =
            std::coroutine_handle<Promise<T>>::from_promise(static_cast<Promise<T>&>(*this))
                .address();
        asm("" : "+r"(frame));
        return task::Header::from_frame(frame);
    }

   private:
    std::coroutine_handle<> continuation_;
};

template <class T>
class Promise final : public PromiseBase<T> {
   public:
    Task<T> get_return_object() noexcept;
    template <class U>
    requires std::is_convertible_v<U&&, T>
    void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        task::output_of<T>(this->header()).value.emplace(std::forward<U>(value));
    }
};

template <>
class Promise<void> final : public PromiseBase<void> {
   public:
    Task<void> get_return_object() noexcept;
    void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task : public detail::AwaitableTag {
   public:
    using promise_type = detail::Promise<T>;
    using value_type = T;
    using handle_type = std::coroutine_handle<promise_type>;

    Task() noexcept = default;
    explicit Task(handle_type h) noexcept : handle_(h) {}
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            if (handle_) task::destroy_frame(handle_);
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    ~Task() {
        if (handle_) task::destroy_frame(handle_);
    }

    [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
    // Gives up ownership of the frame (the spawner takes it).
    [[nodiscard]] handle_type release() noexcept { return std::exchange(handle_, {}); }

    struct Awaiter {
        handle_type child;
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
            child.promise().set_continuation(parent);
            return child;
        }
        T await_resume() { return child.promise().take(); }
    };
    // Runs the child inline on the awaiting task; its result or exception comes back here.
    Awaiter operator co_await() && noexcept { return Awaiter{handle_}; }

   private:
    handle_type handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
    return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
    return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace weft
