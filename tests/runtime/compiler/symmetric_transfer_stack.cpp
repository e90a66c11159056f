// What the inline-completion rule of the SDK's Task (plugin-sdk/include/weft/sdk/task.hpp) guards
// against (the runtime's Task, daemon/runtime/task/task.hpp, does not have it yet: see there): a
// parent that awaits a child task which finishes at once, resumed by the child's final awaiter
// through symmetric transfer (await_suspend returning the parent's handle). C++ only recommends
// that this resume be a tail call; where the compiler does not make it one, every such await nests
// one resume deeper, and a loop of them overflows the stack. GCC 12 makes it a tail call at -O2,
// not at -O0 and not with -fsanitize=address (the sanitizer build: a plugin's loop over 1,536
// pipelined replies crashed a worker with SIGSEGV on its stack guard).
//
//   g++-12 -std=c++20 -O1 -fsanitize=address symmetric_transfer_stack.cpp && ./a.out
//                                          (SIGSEGV: stack overflow by symmetric transfer)
//   g++-12 -std=c++20 -O1 -fsanitize=address -DWEFT_REPRO_INLINE_COMPLETION ... && ./a.out
//                                          (exit 0: constant stack)
//
// Not a compiler bug but a guarantee the language does not give; the tasks must not depend on it.
// Checked by the test compiler.symmetric_transfer_stack (built with the rule).
#include <coroutine>
#include <cstdio>
#include <utility>

struct Task {
    struct promise_type {
        std::coroutine_handle<> continuation;
        bool parent_waits_inline = false;
        bool finished_inline = false;
        int value = 0;

        Task get_return_object() noexcept {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct Final {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                promise_type& p = h.promise();
#if defined(WEFT_REPRO_INLINE_COMPLETION)
                if (p.parent_waits_inline) {
                    p.finished_inline = true;
                    return std::noop_coroutine();
                }
#endif
                return p.continuation ? p.continuation : std::noop_coroutine();
            }
            void await_resume() noexcept {}
        };
        Final final_suspend() noexcept { return {}; }
        void return_value(int v) noexcept { value = v; }
        void unhandled_exception() noexcept {}
    };

    explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle(h) {}
    Task(Task&& o) noexcept : handle(std::exchange(o.handle, {})) {}
    ~Task() {
        if (handle) handle.destroy();
    }

    struct Awaiter {
        std::coroutine_handle<promise_type> child;
        bool await_ready() noexcept { return false; }
#if defined(WEFT_REPRO_INLINE_COMPLETION)
        bool await_suspend(std::coroutine_handle<> parent) noexcept {
            promise_type& p = child.promise();
            p.continuation = parent;
            p.parent_waits_inline = true;
            child.resume();
            p.parent_waits_inline = false;
            return !p.finished_inline;
        }
#else
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
            child.promise().continuation = parent;
            return child;
        }
#endif
        int await_resume() noexcept { return child.promise().value; }
    };
    Awaiter operator co_await() && noexcept { return Awaiter{handle}; }

    std::coroutine_handle<promise_type> handle;
};

Task one() { co_return 1; }

Task many() {
    int sum = 0;
    for (int i = 0; i < 10'000'000; ++i) sum += co_await one();
    co_return sum;
}

int main() {
    Task t = many();
    t.handle.resume();
    const bool ok = t.handle.done() && t.handle.promise().value == 10'000'000;
    std::printf("%s\n", ok ? "ten million awaits in constant stack" : "wrong sum");
    return ok ? 0 : 1;
}
