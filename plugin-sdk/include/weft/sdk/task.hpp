// weft::Task<T>: C++20 coroutines on the plugin ABI's poll protocol.
//
// A plugin task is, for the host, a poll function (plugin.h section 3). The SDK makes one out of
// a coroutine: spawn() wraps the coroutine in a Root whose poll function resumes it. Inside, a
// `co_await` of a host operation (receive, sleep, ...) calls the operation's weft_* function with
// the context of the poll in progress; if it says WEFT_PENDING the coroutine suspends, the Root
// remembers the awaitable, and the poll returns WEFT_PENDING. At the next poll the Root calls the
// same awaitable again and resumes the coroutine only once it is ready: exactly the host
// runtime's own protocol, so a spurious wake or a coop-budget yield never resumes a coroutine
// early.
//
//   weft::Task<int> add(int a, int b) { co_return a + b; }
//   weft::Task<> run(weft::Receiver<int>& rx) {
//       while (auto v = co_await rx.recv()) total += co_await add(*v, 1);   // child runs inline
//   }
//   auto handle = weft::spawn(host, run(rx));   // a task of its own; co_await handle joins it
//
// Rules:
//   - A Task is lazy: it runs when awaited (inline, on the awaiting task) or spawned.
//   - Only SDK awaitables (and Tasks) may be awaited inside a Task: others could not register
//     the task's waker. The compiler says so otherwise.
//   - An exception escaping a spawned task is logged through the host with the plugin's name; the
//     task ends with WEFT_ERR_TASK_FAILED and `co_await handle` rethrows the exception.
//   - Dropping a task (abort, shutdown) destroys its coroutine frames: every awaitable's
//     destructor cancels its pending host operation (cancel-safe as plugin.h documents each).
//   - GCC 12 destroys a lambda with captures twice when it is created inside a co_await
//     expression (a compiler bug): build such an awaitable into a named variable, then await it.
//
// Thread-safety: a task is polled by one thread at a time, possibly a different one each poll;
// do not keep thread-local state across a co_await.
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"

namespace weft {
inline namespace sdk {

template <class T = void>
class Task;

namespace detail {

// Marks what a Task accepts after co_await.
struct AwaitableTag {};

template <class A>
concept SdkAwaitable = std::is_base_of_v<AwaitableTag, std::remove_cvref_t<A>>;

// The awaitable a suspended task waits on: polled again at each poll of the task.
struct Pending {
    weft_status (*poll)(void* self, weft_context* cx) noexcept = nullptr;
    void* self = nullptr;
    std::coroutine_handle<> resume;
};

class RootBase;

// The task this thread is polling, and the context of that poll.
struct Current {
    RootBase* root = nullptr;
    weft_context* cx = nullptr;
};
inline thread_local Current t_current{};

[[nodiscard]] inline Current& current() {
    if (!t_current.root)
        throw std::logic_error("a weft awaitable was awaited outside a plugin task");
    return t_current;
}

// One spawned task: owns the top-level coroutine frame; its poll drives it.
class RootBase {
   public:
    explicit RootBase(Host host) noexcept : host_(host) {}
    RootBase(const RootBase&) = delete;
    RootBase& operator=(const RootBase&) = delete;
    virtual ~RootBase() {
        if (frame_) frame_.destroy();
    }

    [[nodiscard]] const Host& host() const noexcept { return host_; }
    // The context of the poll in progress (valid only during it).
    [[nodiscard]] weft_context* cx() const noexcept { return cx_; }
    void park(Pending p) noexcept { pending_ = p; }

    weft_status poll(weft_context* cx) noexcept {
        struct Scope {
            Current saved;
            Scope(RootBase* r, weft_context* c) noexcept : saved(t_current) { t_current = {r, c}; }
            ~Scope() { t_current = saved; }
        } scope(this, cx);
        cx_ = cx;
        std::coroutine_handle<> next;
        if (pending_.poll) {
            if (pending_.poll(pending_.self, cx) == WEFT_PENDING) return WEFT_PENDING;
            next = std::exchange(pending_, Pending{}).resume;
        } else if (!started_) {
            started_ = true;
            next = frame_;
        } else {
            return status_;
        }
        next.resume();  // runs until the next pending await or the end
        return pending_.poll ? WEFT_PENDING : status_;
    }

    static weft_status c_poll(void* state, weft_context* cx) noexcept {
        return static_cast<RootBase*>(state)->poll(cx);
    }
    static void c_drop(void* state) noexcept { delete static_cast<RootBase*>(state); }

   protected:
    Host host_;
    std::coroutine_handle<> frame_;
    Pending pending_;
    weft_context* cx_ = nullptr;
    bool started_ = false;
    weft_status status_ = WEFT_ERR_TASK_FAILED;  // until the coroutine finishes normally
};

[[nodiscard]] inline const Host& current_host() { return current().root->host(); }

// A leaf awaitable (a host operation) bound to the task awaiting it, so that its polls find the
// poll context through the task rather than through a thread-local (which costs a
// __tls_get_addr call per await in a dlopen'ed plugin). Awaited in place when it is an lvalue
// (GCC 12 would copy it otherwise), moved into the awaiting frame when it is an rvalue.
template <class A>
struct BoundRef {
    A& target;
    RootBase* root;
    bool await_ready() { return target.await_ready_in(root); }
    void await_suspend(std::coroutine_handle<> h) noexcept { target.await_suspend_in(root, h); }
    decltype(auto) await_resume() { return target.await_resume(); }
};
template <class A>
struct BoundValue {
    A target;
    RootBase* root;
    bool await_ready() { return target.await_ready_in(root); }
    void await_suspend(std::coroutine_handle<> h) noexcept { target.await_suspend_in(root, h); }
    decltype(auto) await_resume() { return target.await_resume(); }
};

template <class T>
struct IsTask : std::false_type {};
template <class T>
struct IsTask<Task<T>> : std::true_type {};

class PromiseBase {
   public:
    std::suspend_always initial_suspend() noexcept { return {}; }

    // A child that finishes while its parent is still inside Task::Awaiter::await_suspend (it
    // never waited) leaves the parent to continue there; one that finishes later, from a poll,
    // transfers to its parent. So a loop of awaits that complete at once runs in constant stack
    // without relying on the compiler to make the symmetric transfer a tail call, which C++ does
    // not promise (GCC 12 does not at -O0, nor with -fsanitize=address: a loop of 10,000 such
    // awaits overflowed the stack of the ASan build).
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            PromiseBase& p = h.promise();
            if (p.parent_waits_inline_) {
                p.finished_inline_ = true;
                return std::noop_coroutine();
            }
            return p.continuation_ ? p.continuation_ : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception_ = std::current_exception(); }

    // A child Task runs inline on this task (it inherits the root); a host operation is bound to
    // the root (BoundRef/BoundValue).
    template <class A>
    auto await_transform(A&& awaitable) noexcept(
        std::is_lvalue_reference_v<A> ||
        std::is_nothrow_move_constructible_v<std::remove_cvref_t<A>>) {
        static_assert(SdkAwaitable<A>,
                      "a weft::Task may only co_await weft SDK awaitables (Task, JoinHandle, "
                      "channels, sleep, Notify, ...): others cannot wake the plugin task");
        using Plain = std::remove_cvref_t<A>;
        if constexpr (IsTask<Plain>::value) {
            awaitable.bind_root(root_);
            return Plain(std::move(awaitable));
        } else if constexpr (std::is_lvalue_reference_v<A>) {
            return BoundRef<std::remove_reference_t<A>>{awaitable, root_};
        } else {
            return BoundValue<Plain>{std::move(awaitable), root_};
        }
    }

    void set_root(RootBase* root) noexcept { root_ = root; }
    void set_continuation(std::coroutine_handle<> c) noexcept { continuation_ = c; }
    // Runs this (child) coroutine from its parent's await_suspend: true when it already finished
    // (the parent goes on at once), false when it waits (the parent suspends; the child
    // transfers to it when it finishes). One task is polled by one thread: plain flags suffice.
    [[nodiscard]] bool run_inline(std::coroutine_handle<> self) noexcept {
        parent_waits_inline_ = true;
        self.resume();
        parent_waits_inline_ = false;
        return finished_inline_;
    }
    void rethrow_if_failed() const {
        if (exception_) std::rethrow_exception(exception_);
    }

   private:
    std::coroutine_handle<> continuation_;
    std::exception_ptr exception_;
    RootBase* root_ = nullptr;          // the spawned task this coroutine runs on
    bool parent_waits_inline_ = false;  // the parent is inside run_inline()
    bool finished_inline_ = false;      // finished inside run_inline()
};

template <class T>
class Promise final : public PromiseBase {
   public:
    Task<T> get_return_object() noexcept;
    template <class U>
    requires std::is_convertible_v<U&&, T>
    void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        value_.emplace(std::forward<U>(value));
    }
    T take() {
        rethrow_if_failed();
        return std::move(*value_);
    }

   private:
    std::optional<T> value_;
};

template <>
class Promise<void> final : public PromiseBase {
   public:
    Task<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void take() { rethrow_if_failed(); }
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
            if (handle_) handle_.destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    ~Task() {
        if (handle_) handle_.destroy();
    }

    [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
    [[nodiscard]] handle_type release() noexcept { return std::exchange(handle_, {}); }
    // The spawned task this coroutine will run on (set when it is awaited or spawned).
    void bind_root(detail::RootBase* root) noexcept {
        if (handle_) handle_.promise().set_root(root);
    }

    struct Awaiter {
        handle_type child;
        bool await_ready() const noexcept { return false; }
        // False (go on at once) when the child finished without waiting (see FinalAwaiter).
        bool await_suspend(std::coroutine_handle<> parent) noexcept {
            child.promise().set_continuation(parent);
            return !child.promise().run_inline(child);
        }
        T await_resume() { return child.promise().take(); }
    };
    // Runs the child inline on the awaiting task; its value or exception comes back here.
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

// The base of every leaf awaitable (a host operation). Derived provides
//     weft_status poll(weft_context* cx) noexcept;  // WEFT_PENDING, or the outcome
//     R await_resume();                             // reads status()
// and cancels its pending host operation in its destructor.
template <class Derived>
class Awaitable : public detail::AwaitableTag {
   public:
    // Called through the binding await_transform makes (detail::BoundRef/BoundValue).
    bool await_ready_in(detail::RootBase* root) { return poll_status(root->cx()) != WEFT_PENDING; }
    void await_suspend_in(detail::RootBase* root, std::coroutine_handle<> h) noexcept {
        root->park(detail::Pending{&thunk, this, h});
    }
    // Polls and records the outcome (for combinators such as weft::timeout).
    weft_status poll_status(weft_context* cx) noexcept {
        status_ = static_cast<Derived&>(*this).poll(cx);
        return status_;
    }
    [[nodiscard]] weft_status status() const noexcept { return status_; }

   protected:
    weft_status status_ = WEFT_PENDING;

   private:
    static weft_status thunk(void* self, weft_context* cx) noexcept {
        return static_cast<Awaitable*>(self)->poll_status(cx);
    }
};

namespace detail {

template <class T>
struct JoinState {
    std::optional<T> value;
    std::exception_ptr error;
};
template <>
struct JoinState<void> {
    std::exception_ptr error;
};

inline std::string describe(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
    }
    return "an exception that is not a std::exception";
}

template <class T>
class Root final : public RootBase {
   public:
    Root(Host host, Task<T> task, std::shared_ptr<JoinState<T>> state) : RootBase(host) {
        Task<void> driver = drive(this, std::move(task), std::move(state));
        driver.bind_root(this);
        frame_ = driver.release();
    }

   private:
    static Task<void> drive(Root* self, Task<T> task, std::shared_ptr<JoinState<T>> state) {
        try {
            if constexpr (std::is_void_v<T>) {
                co_await std::move(task);
            } else {
                state->value.emplace(co_await std::move(task));
            }
            self->status_ = WEFT_OK;
        } catch (...) {
            state->error = std::current_exception();
            self->host_.log().error("task failed: ", describe(state->error));
        }
    }
};

}  // namespace detail

// The join handle of a spawned task. `co_await handle` gives the task's value, rethrows the
// exception that ended it, or throws Error(WEFT_ERR_CANCELLED). Dropping the handle detaches
// the task. Awaiting is cancel-safe.
template <class T = void>
class [[nodiscard]] JoinHandle : public Awaitable<JoinHandle<T>> {
   public:
    JoinHandle() noexcept = default;
    JoinHandle(weft_task* task, std::shared_ptr<detail::JoinState<T>> state) noexcept
        : task_(task), state_(std::move(state)) {}
    JoinHandle(JoinHandle&& other) noexcept
        : Awaitable<JoinHandle<T>>(other),
          task_(std::exchange(other.task_, nullptr)),
          state_(std::move(other.state_)) {}
    JoinHandle& operator=(JoinHandle&& other) noexcept {
        if (this != &other) {
            detach();
            task_ = std::exchange(other.task_, nullptr);
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~JoinHandle() { detach(); }

    void abort() const noexcept {
        if (task_) weft_task_abort(task_);
    }
    [[nodiscard]] bool is_finished() const noexcept {
        return task_ && weft_task_is_finished(task_);
    }
    void detach() noexcept {
        if (task_) weft_task_release(std::exchange(task_, nullptr));
    }

    weft_status poll(weft_context* cx) noexcept {
        return task_ ? weft_task_join(cx, task_) : WEFT_ERR_INVALID_ARGUMENT;
    }
    T await_resume() {
        switch (this->status_) {
            case WEFT_OK:
                if constexpr (std::is_void_v<T>) {
                    return;
                } else {
                    return std::move(*state_->value);
                }
            case WEFT_ERR_TASK_FAILED:
                if (state_->error) std::rethrow_exception(state_->error);
                throw Error(WEFT_ERR_TASK_FAILED, "task failed");
            case WEFT_ERR_CANCELLED:
                throw Error(WEFT_ERR_CANCELLED, "task was cancelled");
            default:
                throw Error(this->status_, "joining a task");
        }
    }

   private:
    weft_task* task_ = nullptr;
    std::shared_ptr<detail::JoinState<T>> state_;
};

// Spawns `task` as a task of the plugin `host` belongs to. Throws Error (WEFT_ERR_SHUTDOWN once
// the plugin's tasks are being cancelled). Any thread, including hooks.
template <class T>
JoinHandle<T> spawn(const Host& host, Task<T> task) {
    auto state = std::make_shared<detail::JoinState<T>>();
    auto root = std::make_unique<detail::Root<T>>(host, std::move(task), state);
    weft_task* handle = nullptr;
    detail::check(weft_task_spawn(host.raw(), &detail::RootBase::c_poll, root.get(),
                                  &detail::RootBase::c_drop, &handle),
                  "weft::spawn", host.api());
    root.release();  // the host owns it now and drops it through c_drop
    return JoinHandle<T>(handle, std::move(state));
}

// Spawns from inside a plugin task, for the same plugin.
template <class T>
JoinHandle<T> spawn(Task<T> task) {
    return spawn(detail::current_host(), std::move(task));
}

// spawn with a name for the task (Tokio's task::Builder::name), which then identifies it in
// weftd's long-poll and failure log lines and in the task view (GET /tasks, weftd status
// --tasks); an SDK task has no other spawn site to show than the SDK's own poll function:
//
//   weft::spawn_named("fetch " + key, fetch(key));
//
// Names need not be unique; "" is unnamed. Throws Error(WEFT_ERR_INVALID_ARGUMENT) for a name
// longer than WEFT_TASK_NAME_MAX bytes or holding a control character (nothing is spawned),
// otherwise as spawn.
template <class T>
JoinHandle<T> spawn_named(const Host& host, std::string_view name, Task<T> task) {
    const std::string owned(name);  // NUL-terminated for the C call
    auto state = std::make_shared<detail::JoinState<T>>();
    auto root = std::make_unique<detail::Root<T>>(host, std::move(task), state);
    weft_task* handle = nullptr;
    detail::check(weft_task_spawn_named(host.raw(), owned.c_str(), &detail::RootBase::c_poll,
                                        root.get(), &detail::RootBase::c_drop, &handle),
                  "weft::spawn_named", host.api());
    root.release();
    return JoinHandle<T>(handle, std::move(state));
}
template <class T>
JoinHandle<T> spawn_named(std::string_view name, Task<T> task) {
    return spawn_named(detail::current_host(), name, std::move(task));
}

// Lets every other ready task run before this one continues.
class [[nodiscard]] YieldNow : public Awaitable<YieldNow> {
   public:
    weft_status poll(weft_context* cx) noexcept {
        if (yielded_) return WEFT_OK;
        yielded_ = true;
        weft_context_wake(cx);
        return WEFT_PENDING;
    }
    void await_resume() const noexcept {}

   private:
    bool yielded_ = false;
};
[[nodiscard]] inline YieldNow yield_now() noexcept { return {}; }

}  // namespace sdk
}  // namespace weft
