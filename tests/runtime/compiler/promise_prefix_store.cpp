// What the empty asm in PromiseBase::header() (daemon/runtime/task/task.hpp) guards against: a
// promise records its coroutine's exception in a block in front of the frame,
// reaching it from its own address (from_promise(*this).address() minus the prefix), and the
// awaiting coroutine reads it back.
//
//   clang++-14 -std=c++20 -O2 -DWEFT_REPRO_WITHOUT_BARRIER promise_prefix_store.cpp && ./a.out
//
// crashes (SIGSEGV); with the barrier (the default here, as in the runtime) it exits 0,
// and GCC 12 gives 0 either way. Until Clang's coroutine splitting runs, the promise is an alloca
// of the coroutine function; an address computed from it that lies outside it (the prefix) is out
// of bounds for LLVM, so accesses through it may be dropped or reordered: the family of
// llvm/llvm-project#105595 ("promise modeled as an alloca"; LLVM 21 hides the promise until
// CoroSplit, PR #139243). The asm makes the address opaque, so nothing is derived from the
// alloca. Checked by the test compiler.promise_prefix_store (built with the barrier).
#include <coroutine>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <utility>

#include <atomic>

// GCC 12 at -O1 (the sanitizer builds) inlines operator new into the coroutine and then calls
// the class's operator delete on a pointer it traced back to malloc, and reports the pair as
// mismatched: a false positive for class-level allocation functions of a coroutine promise
// (GCC PR middle-end/109224). Clang has no such diagnostic.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

struct alignas(16) Prefix {
    std::atomic<unsigned long> state{0};
    void* a = nullptr;
    void* b = nullptr;
    union {
        void* pending;
        std::exception_ptr error;
    };
    void* c[4] = {};
    Prefix() : pending(nullptr) {}
    ~Prefix() {}
};
constexpr std::size_t kPrefix = sizeof(Prefix);

struct Task {
    struct promise_type {
        static void* operator new(std::size_t n) {
            auto* block = static_cast<std::byte*>(std::malloc(kPrefix + n));
            ::new (block) Prefix();
            return block + kPrefix;
        }
        static void operator delete(void* frame) noexcept {
            auto* p = reinterpret_cast<Prefix*>(static_cast<std::byte*>(frame) - kPrefix);
            if (p->state.load() & 1) std::destroy_at(&p->error);
            p->~Prefix();
            std::free(p);
        }
        Prefix* prefix() noexcept {
            void* frame = std::coroutine_handle<promise_type>::from_promise(*this).address();
#ifndef WEFT_REPRO_WITHOUT_BARRIER
            asm("" : "+r"(frame));
#endif
            return reinterpret_cast<Prefix*>(static_cast<std::byte*>(frame) - kPrefix);
        }
        Task get_return_object() noexcept {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct Final {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                auto c = h.promise().continuation;
                return c ? c : std::noop_coroutine();
            }
            void await_resume() noexcept {}
        };
        Final final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept {
            Prefix* p = prefix();
            std::construct_at(&p->error, std::current_exception());
            p->state.fetch_or(1, std::memory_order_relaxed);
        }
        void take() {
            Prefix* p = prefix();
            if (p->state.load(std::memory_order_relaxed) & 1)
                std::rethrow_exception(std::exchange(p->error, nullptr));
        }
        std::coroutine_handle<> continuation;
    };
    std::coroutine_handle<promise_type> h;
    Task(Task&& o) noexcept : h(std::exchange(o.h, {})) {}
    explicit Task(std::coroutine_handle<promise_type> h) : h(h) {}
    // Out of line, so that the allocation is not elided (coroutine_allocation_elision.cpp).
    __attribute__((noinline)) static void destroy(std::coroutine_handle<> c) { c.destroy(); }
    ~Task() {
        if (h) destroy(h);
    }
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
        h.promise().continuation = parent;
        return h;
    }
    void await_resume() { h.promise().take(); }
};

Task fails() {
    throw 1;
    co_return;
}
Task catches(int& caught) {
    try {
        co_await fails();
    } catch (int) {
        caught = 1;
    }
}

int main() {
    int caught = 0;
    Task t = catches(caught);
    t.h.resume();
    return caught == 1 ? 0 : 1;
}
