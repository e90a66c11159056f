// What the out-of-line task::destroy_frame (daemon/runtime/task/frame_alloc.hpp) guards against:
// a coroutine created and destroyed within one function, once inlining makes both visible there,
// may have its frame allocation elided (the standard allows it, [dcl.fct.def.coroutine]: "the
// allocation function may be elided"; Clang's CoroElide does it). The frame then lives in the
// caller's frame and promise_type::operator new is never called, so a runtime that puts a header
// and an output slot in front of every frame (frame_alloc.hpp) would find neither.
//
//   clang++-14 -std=c++20 -O2 coroutine_allocation_elision.cpp && ./a.out        (exit 1: elided)
//   clang++-14 -std=c++20 -O2 -DWEFT_REPRO_OUT_OF_LINE_DESTROY ... && ./a.out   (exit 0)
//
// GCC 12 never elides. This is not a compiler bug but a licence the code must not depend on;
// keeping the destroy out of line (as the runtime does) hides it from the creating function.
// Checked by the test compiler.coroutine_allocation_elision (built out of line).
#include <coroutine>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

static int g_allocations = 0;

struct Lazy {
    struct promise_type {
        static void* operator new(std::size_t n) {
            ++g_allocations;
            return std::malloc(n);
        }
        static void operator delete(void* frame) noexcept { std::free(frame); }
        Lazy get_return_object() noexcept {
            return Lazy{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept {}
    };
    std::coroutine_handle<promise_type> h;
#ifdef WEFT_REPRO_OUT_OF_LINE_DESTROY
    __attribute__((noinline)) static void destroy(std::coroutine_handle<> c) noexcept {
        c.destroy();
    }
#else
    static void destroy(std::coroutine_handle<> c) noexcept { c.destroy(); }
#endif
    explicit Lazy(std::coroutine_handle<promise_type> c) noexcept : h(c) {}
    Lazy(Lazy&& o) noexcept : h(std::exchange(o.h, {})) {}
    ~Lazy() {
        if (h) destroy(h);
    }
};

Lazy work() { co_return; }

__attribute__((noinline)) void create_and_drop() { Lazy l = work(); }

int main() {
    create_and_drop();
    return g_allocations == 1 ? 0 : 1;
}
