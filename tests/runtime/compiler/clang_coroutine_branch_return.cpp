// What the single co_return of Pool::slow_acquire (daemon/runtime/pool/pool.hpp) guards against:
// clang-14 at -O1 sends a coroutine down the wrong branch. A loop body awaits a check inside an
// inner block and leaves that block either by `continue` (check failed, after a call) or by
// falling through to `co_return` of the checked resource. Both exits run the block's cleanup,
// and after it Clang branches on "which exit was it" (its cleanup destination: 0 for fall
// through). Clang's coroutine splitting (CoroSplit, addMustTailToCoroResumes) takes every call of
// the shape of a coroutine resume (returns void, takes one pointer, same calling convention as
// the resume function: fastcc) as a candidate for a symmetric-transfer tail call. It follows the
// code after that call, substitutes the values it knows on that path and folds the branches it
// passes, and it writes the folded branches back into the function even though other paths share
// those blocks. The call of an internal function of type void(T*) before the `continue` (here
// discard(); in weft it was ~Res() of the test's resource type) fits that shape once GlobalOpt
// has made it fastcc. So the compare `destination == 0` in the shared cleanup is folded to
// "false", the check that passed is treated like the `continue`, and the loop runs again: the
// pool handed out a newly created resource and lost the checked one.
//
//   F="-std=c++20 -O1 -fsanitize=address,undefined -fno-sanitize=function -g1"  # preset clang
//   clang++-14 $F clang_coroutine_branch_return.cpp && ./a.out
//       (exit 1: "create branch", got 100, want 2; the same with plain -O1; not at -O0, where
//        GlobalOpt does not run, nor at -O2 or -O3)
//   clang++-14 $F -DWEFT_REPRO_SINGLE_RETURN clang_coroutine_branch_return.cpp && ./a.out
//       (exit 0: each branch stores its result and continues; one co_return after the loop)
//
// Needed: -O1; the inner block whose only exits are the fall-through and the `continue` (with
// the await directly in the if-branch, the cleanup has more exits and it passes); the co_await in
// it (its temporaries give the block the cleanup both exits share); right before the `continue`,
// a call that is not inlined of an internal (anonymous namespace or static) function that, once
// the optimizer has dropped unused arguments and results, returns void and takes one pointer (an
// external function, or another call after it, and it passes). With the end of the loop body
// unreachable, the fall-through lands on the destruction of the frame instead (use after free).
// Not needed: AddressSanitizer or UBSan, a try/catch around the co_await (it fails with one too),
// the RAII object of the other branch, the move-only result type (Task<int> fails too). In the
// IR after GlobalOpt, giving discard() the C calling convention instead of fastcc is the only
// change CoroSplit needs to keep the branch (checked with opt-14). GCC 12 gets it right either
// way. weft's pool has the shape of WEFT_REPRO_SINGLE_RETURN: one co_return of the resource
// after the loop of slow_acquire. Checked by the test compiler.clang_coroutine_branch_return
// (built with the single co_return).
#include <coroutine>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

namespace {

// A lazy task, resumed by symmetric transfer, as weft's Task.
template <class T>
class Task {
   public:
    struct promise_type {
        std::coroutine_handle<> continuation;
        std::optional<T> value;

        Task get_return_object() noexcept {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct Final {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                auto next = h.promise().continuation;
                return next ? next : std::noop_coroutine();
            }
            void await_resume() noexcept {}
        };
        Final final_suspend() noexcept { return {}; }
        void return_value(T v) { value.emplace(std::move(v)); }
        void unhandled_exception() noexcept { std::terminate(); }
    };

    explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
    Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
    Task& operator=(Task&&) = delete;
    ~Task() {
        if (handle_) handle_.destroy();
    }

    struct Awaiter {
        std::coroutine_handle<promise_type> child;
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
            child.promise().continuation = parent;
            return child;
        }
        T await_resume() { return std::move(*child.promise().value); }
    };
    Awaiter operator co_await() && noexcept { return Awaiter{handle_}; }

    // Runs the task to its final suspend point; its result.
    T run() {
        handle_.resume();
        return std::move(*handle_.promise().value);
    }

   private:
    std::coroutine_handle<promise_type> handle_;
};

// What the pool hands out: move-only, with a non-trivial destructor.
class Lease {
   public:
    Lease() noexcept = default;
    explicit Lease(int id) noexcept : id_(id) {}
    Lease(Lease&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
    Lease& operator=(Lease&& o) noexcept {
        id_ = std::exchange(o.id_, 0);
        return *this;
    }
    ~Lease() {
        if (id_) std::printf("lease %d given back\n", id_);
    }
    [[nodiscard]] int id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ != 0; }

   private:
    int id_ = 0;
};

struct Shelf {
    int idle[2] = {2, 1};  // taken from the back: 1 first (fails its check), then 2
    int count = 2;
    int discarded = 0;
    bool checks = true;
    bool may_create = false;
};

int take(Shelf* shelf) { return shelf->count ? shelf->idle[--shelf->count] : 0; }

// The call before the `continue`: internal linkage, returns void, takes one pointer, not inlined.
[[gnu::noinline]] void discard(Shelf* shelf) { ++shelf->discarded; }

Task<bool> check(int id) { co_return id != 1; }

#if !defined(WEFT_REPRO_SINGLE_RETURN)

// The shape clang-14 -O1 gets wrong: a co_return in each branch.
Task<Lease> acquire(Shelf* shelf) {
    for (;;) {
        const int id = take(shelf);
        if (id) {
            if (shelf->checks) {
                const bool ok = co_await check(id);
                if (!ok) {
                    discard(shelf);
                    continue;
                }
            }
            std::printf("checked branch\n");
            Lease checked(id);
            co_return std::move(checked);
        }
        if (shelf->may_create) {
            std::printf("create branch\n");
            Lease created(100);
            co_return std::move(created);
        }
        shelf->may_create = true;  // the next round creates
    }
}

#else

// weft's shape: each branch stores its result and continues; one co_return after the loop.
Task<Lease> acquire(Shelf* shelf) {
    Lease got;
    while (!got) {
        const int id = take(shelf);
        if (id) {
            bool ok = true;
            if (shelf->checks) ok = co_await check(id);
            if (ok) {
                std::printf("checked branch\n");
                got = Lease(id);
            } else {
                discard(shelf);
            }
            continue;
        }
        if (shelf->may_create) {
            std::printf("create branch\n");
            got = Lease(100);
            continue;
        }
        shelf->may_create = true;  // the next round creates
    }
    co_return std::move(got);
}

#endif

}  // namespace

int main() {
    Shelf shelf;
    const Lease lease = acquire(&shelf).run();
    std::printf("got %d (want 2), %d discarded (want 1)\n", lease.id(), shelf.discarded);
    return lease.id() == 2 && shelf.discarded == 1 ? 0 : 1;
}
