// Why the `clang` and `fuzz` presets add -fno-sanitize=function to -fsanitize=undefined: clang-14
// cannot compile a coroutine that is a template instance with UBSan's function check on. The
// check puts a signature word in front of each function and points at it by a difference of two
// labels; coroutine splitting moves the function's parts into another (COMDAT) section, and the
// assembler stops with
//
//   clang++-14 -std=c++20 -fsanitize=undefined -c ubsan_function_coroutine.cpp
//   error: Cannot represent a difference across sections
//
// (llvm/llvm-project#49689, #54153; fixed in later releases). With -fno-sanitize=function it
// compiles, and the rest of UBSan stays on. Built as the presets build it; exits 0. GCC has no
// function check and compiles it either way.
#include <coroutine>

struct Task {
    struct promise_type {
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept {}
    };
    std::coroutine_handle<promise_type> handle;
};

// External linkage matters: an inline or template function goes to a COMDAT section of its own.
template <typename T>
Task store(T value, T* out) {
    co_await std::suspend_always{};
    *out = value;
}

int main() {
    int out = 0;
    Task t = store(42, &out);
    t.handle.resume();  // to the co_await
    t.handle.resume();  // to the end
    const bool done = t.handle.done();
    t.handle.destroy();
    return done && out == 42 ? 0 : 1;
}
