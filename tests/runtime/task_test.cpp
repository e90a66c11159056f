// Specification of tasks: spawn, JoinHandle, abort, errors, detach, yield.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "runtime/sync/notify.hpp"
#include "runtime/task/frame_alloc.hpp"
#include "support.hpp"

using namespace weft;
using weft::test::DropCounter;

namespace {

Task<int> add(int a, int b) { co_return a + b; }
Task<int> nested() {
    int x = co_await add(1, 2);
    int y = co_await add(x, 10);
    co_return y;
}
Task<void> throws() {
    throw std::runtime_error("boom");
    co_return;
}
Task<int> pending_forever(std::atomic<int>& live) {
    DropCounter guard(live);
    for (;;) co_await yield_now();
    co_return 0;
}

Task<std::string> hold_then_return(std::unique_ptr<DropCounter>) {
    co_await yield_now();
    co_return "done";
}
Task<std::unique_ptr<DropCounter>> make_counted(std::atomic<int>& live) {
    co_return std::make_unique<DropCounter>(live);
}

// Aborts itself in the middle of a poll: the abort takes effect at the next suspension.
struct SelfAbort {
    JoinHandle<void> handle;
    sync::Notify go;
    std::atomic<int> live{0};
    std::atomic<bool> resumed_after_abort{false};
};
Task<void> abort_self_then_yield(SelfAbort& s) {
    co_await s.go.notified();
    DropCounter guard(s.live);
    s.handle.abort();
    co_await yield_now();  // cancelled here: the rest never runs
    s.resumed_after_abort.store(true);
}

// Pending at its first poll (after waking its task), ready at the second; counts its moves and
// remembers where it was polled.
class CountsMoves : public Pollable<CountsMoves> {
   public:
    explicit CountsMoves(int& moves) noexcept : moves_(&moves) {}
    CountsMoves(CountsMoves&& other) noexcept : Pollable(other), moves_(other.moves_) { ++*moves_; }
    bool poll(Context& cx) noexcept {
        polled_at_[polls_ < 2 ? polls_ : 1] = this;
        if (++polls_ > 1) return true;
        cx.waker().wake_by_ref();
        return false;
    }
    [[nodiscard]] bool polled_in_one_place() const noexcept {
        return polls_ == 2 && polled_at_[0] == this && polled_at_[1] == this;
    }
    bool await_resume() const noexcept { return polled_in_one_place(); }

   private:
    int* moves_;
    int polls_ = 0;
    const CountsMoves* polled_at_[2] = {nullptr, nullptr};
};

Task<int> await_temporary_and_named() {
    int moves = 0;
    if (!co_await CountsMoves(moves)) co_return -1;
    CountsMoves named(moves);
    if (!co_await named) co_return -2;
    CountsMoves moved(moves);
    if (!co_await std::move(moved)) co_return -3;
    co_return moves;
}

}  // namespace

TEST_CASE("block_on returns the value of the root task", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    CHECK(rt.block_on(nested()) == 13);
}

TEST_CASE("block_on rethrows the exception of the root task", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    CHECK_THROWS_WITH(rt.block_on(throws()), "boom");
}

TEST_CASE("a spawned task's value is awaited through its JoinHandle", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    int v = rt.block_on([]() -> Task<int> {
        auto h = spawn(add(20, 22));
        co_return co_await h;
    }());
    CHECK(v == 42);
}

TEST_CASE("an exception escaping a task becomes a failed JoinError naming the task id", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::uint64_t id = 0;
    std::string message = rt.block_on([](std::uint64_t& id) -> Task<std::string> {
        auto h = spawn(throws());
        id = h.id();
        try {
            co_await h;
        } catch (const JoinError& e) {
            CHECK(e.is_failed());
            CHECK(e.id() == id);
            co_return std::string(e.what());
        }
        co_return std::string("no error");
    }(id));
    CHECK(id != 0);
    CHECK(message == "task " + std::to_string(id) + " failed: boom");
}

TEST_CASE("task ids are unique and a cancelled task's JoinError names its id", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        std::atomic<int> live{0};
        auto a = spawn(add(1, 2));
        auto b = spawn(pending_forever(live));
        CHECK(a.id() != 0);
        CHECK(a.id() != b.id());
        b.abort();
        try {
            co_await b;
            FAIL("an aborted task gave a value");
        } catch (const JoinError& e) {
            CHECK(e.is_cancelled());
            CHECK(e.id() == b.id());
            CHECK(std::string(e.what()) == "task " + std::to_string(b.id()) + " was cancelled");
        }
        CHECK(co_await a == 3);
        CHECK(JoinHandle<int>().id() == 0);
    }());
}

TEST_CASE("a task's id takes no bytes of its block", "[task]") {
    // A void task's block is its header and its frame; a valued one adds only its output slot
    // and the pointer that frees it (frame_alloc.hpp). Ids are numbered on demand instead.
    CHECK(task::frame_layout::kPrefixBytes<void> == 0);
    CHECK(task::frame_layout::kPrefixBytes<int> == 16);
}

TEST_CASE("a task keeps its id and a block reused at the same address gets a new one", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        auto first = spawn(add(1, 2));
        const std::uint64_t id = first.id();
        CHECK(first.id() == id);
        AbortHandle abort = first.abort_handle();
        CHECK(abort.id() == id);
        CHECK(co_await first == 3);
        CHECK(abort.id() == id);  // the block lives on while the AbortHandle holds it
        const task::Header* address = first.raw();
        abort = AbortHandle();  // the block is freed
        first = JoinHandle<int>();
        // The allocator usually hands the same block to the next task of that size.
        for (int i = 0; i < 100; ++i) {
            auto next = spawn(add(i, 1));
            const bool reused = next.raw() == address;
            CHECK(next.id() != id);
            CHECK(co_await next == i + 1);
            if (reused) break;
        }
    }());
}

namespace {
// An output whose destructor throws while armed (a moved-from one is not).
struct ThrowsOnDestroy {
    static inline std::atomic<int> destroyed{0};
    bool armed = true;
    ThrowsOnDestroy() = default;
    ThrowsOnDestroy(ThrowsOnDestroy&& o) noexcept : armed(std::exchange(o.armed, false)) {}
    ~ThrowsOnDestroy() noexcept(false) {
        if (!armed) return;
        destroyed.fetch_add(1);
        throw std::runtime_error("output destructor failed");
    }
};
Task<ThrowsOnDestroy> make_throwing_output() { co_return ThrowsOnDestroy{}; }
}  // namespace

TEST_CASE("an output whose destructor throws when its JoinHandle is dropped is contained",
          "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    ThrowsOnDestroy::destroyed = 0;
    int after = rt.block_on([]() -> Task<int> {
        {  // dropped after the task finished: the handle's drop frees the output
            auto h = spawn(make_throwing_output());
            while (!h.is_finished()) co_await yield_now();
        }
        CHECK(ThrowsOnDestroy::destroyed.load() == 1);
        // Detached before it runs: the task's completion frees the output.
        spawn(make_throwing_output()).detach();
        while (ThrowsOnDestroy::destroyed.load() < 2) co_await yield_now();
        co_return co_await spawn(add(20, 22));  // the runtime goes on
    }());
    CHECK(after == 42);
    CHECK(ThrowsOnDestroy::destroyed.load() == 2);
}

TEST_CASE("abort drops an idle task at once and its JoinHandle reports cancelled", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    bool cancelled = rt.block_on([](std::atomic<int>& live) -> Task<bool> {
        auto h = spawn(pending_forever(live));
        co_await yield_now();
        co_await yield_now();
        h.abort();
        try {
            co_await h;
        } catch (const JoinError& e) {
            co_return e.is_cancelled();
        }
        co_return false;
    }(live));
    CHECK(cancelled);
    CHECK(live.load() == 0);
}

TEST_CASE("abort of a running task takes effect at its next suspension", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    SelfAbort s;
    bool cancelled = rt.block_on([](SelfAbort& s) -> Task<bool> {
        s.handle = spawn(abort_self_then_yield(s));
        s.go.notify_one();
        try {
            co_await s.handle;
        } catch (const JoinError& e) {
            co_return e.is_cancelled();
        }
        co_return false;
    }(s));
    CHECK(cancelled);
    CHECK_FALSE(s.resumed_after_abort.load());
    CHECK(s.live.load() == 0);
}

TEST_CASE(
    "an awaitable is polled in place: a temporary, a named one and a moved one are never moved",
    "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    CHECK(rt.block_on(await_temporary_and_named()) == 0);
}

TEST_CASE("a dropped JoinHandle detaches: the task still runs to completion", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> done{0};
    rt.block_on([](std::atomic<int>& done) -> Task<void> {
        {
            auto h = spawn([](std::atomic<int>& d) -> Task<void> {
                co_await yield_now();
                d.store(1);
            }(done));
        }
        while (done.load() == 0) co_await yield_now();
    }(done));
    CHECK(done.load() == 1);
}

TEST_CASE("dropping the runtime cancels pending tasks and runs their destructors", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    std::atomic<int> live{0};
    {
        auto rt = weft::test::make_runtime(flavor);
        rt.block_on([](std::atomic<int>& live) -> Task<void> {
            for (int i = 0; i < 100; ++i) spawn(pending_forever(live)).detach();
            co_await yield_now();
        }(live));
    }
    CHECK(live.load() == 0);
}

TEST_CASE("spawning from outside the runtime through a Handle", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto h = rt.handle().spawn(add(2, 3));
    CHECK(rt.block_on([](JoinHandle<int> h) -> Task<int> { co_return co_await h; }(std::move(h))) ==
          5);
}

TEST_CASE("a finished task's frame and parameters are destroyed at once, its output kept",
          "[task]") {
    // As Tokio drops a future once it is ready: a parameter (a Sender, a guard) must not live on
    // in the frame just because the JoinHandle has not been awaited yet.
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    std::string out = rt.block_on([](std::atomic<int>& live) -> Task<std::string> {
        auto h = spawn(hold_then_return(std::make_unique<DropCounter>(live)));
        CHECK(live.load() == 1);
        while (!h.is_finished()) co_await yield_now();
        CHECK(live.load() == 0);
        co_return co_await h;
    }(live));
    CHECK(out == "done");
}

TEST_CASE("an output nobody takes is destroyed with the task", "[task]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    std::atomic<int> live{0};
    rt.block_on([](std::atomic<int>& live) -> Task<void> {
        auto kept = spawn(make_counted(live));
        auto dropped = spawn(make_counted(live));
        while (!kept.is_finished() || !dropped.is_finished()) co_await yield_now();
        CHECK(live.load() == 2);  // both outputs wait for their handles
        dropped.detach();
        CHECK(live.load() == 1);
        spawn(make_counted(live)).detach();  // detached before it even ran
    }(live));
    CHECK(live.load() == 0);
}
