// Specification of the blocking bridges, for threads outside the runtime: mpsc blocking_send and
// blocking_recv, oneshot blocking_recv, Semaphore blocking_acquire. Each waits for the async side
// (a task) and wakes when it acts; each refuses to run on a runtime thread (inside a task, in
// block_on, on a worker) with a std::logic_error naming the call; spawn_blocking threads may use
// them.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/sync/mpsc.hpp"
#include "runtime/sync/oneshot.hpp"
#include "runtime/sync/semaphore.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;
namespace mpsc = weft::sync::mpsc;
namespace oneshot = weft::sync::oneshot;

namespace {

// The message of the std::logic_error `f` throws, or "" if it throws none.
template <class F>
std::string refusal_of(F&& f) {
    try {
        f();
    } catch (const std::logic_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

// The tasks run in block_on on this thread (a current_thread runtime runs nothing otherwise);
// the blocking side is a plain thread.
TEST_CASE("mpsc blocking_send and blocking_recv bridge a plain thread and a task",
          "[sync][blocking_bridge]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto [to_task, task_rx] = mpsc::channel<int>(2);
    auto [task_tx, from_task] = mpsc::channel<int>(2);
    long sum = 0;
    std::thread plain([&sum, tx = std::move(to_task), rx = std::move(from_task)]() mutable {
        for (int i = 1; i <= 50; ++i) tx.blocking_send(i).value();
        { auto done = std::move(tx); }
        while (auto v = rx.blocking_recv()) sum += *v;  // nullopt once the task ended
    });
    // The task doubles what it receives once the thread's sender is gone. Both channels hold 2:
    // the thread's sends block until the task receives, the task's until the thread receives.
    rt.block_on([](mpsc::Receiver<int> rx, mpsc::Sender<int> tx) -> Task<void> {
        std::vector<int> doubled;
        while (auto v = co_await rx.recv()) doubled.push_back(*v * 2);
        for (int v : doubled) (co_await tx.send(v)).value();
    }(std::move(task_rx), std::move(task_tx)));
    plain.join();
    CHECK(sum == 2 * (50 * 51 / 2));
    // The receiver is gone: a blocking send fails at once and gives the value back.
    auto [tx, rx] = mpsc::channel<std::string>(1);
    { auto gone = std::move(rx); }
    auto refused = tx.blocking_send("kept");
    REQUIRE(refused.is_err());
    CHECK(refused.error().value == "kept");
}

TEST_CASE("unbounded mpsc blocking_recv waits for a task's send and ends when it closes",
          "[sync][blocking_bridge]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    std::vector<std::optional<int>> got;
    std::thread plain([&got, rx = std::move(rx)]() mutable {
        got.push_back(rx.blocking_recv());
        got.push_back(rx.blocking_recv());
    });
    rt.block_on([](mpsc::UnboundedSender<int> tx) -> Task<void> {
        co_await time::sleep(10ms);
        tx.send(1).value();
    }(std::move(tx)));
    plain.join();
    REQUIRE(got.size() == 2);
    CHECK(got[0] == 1);
    CHECK_FALSE(got[1]);
}

TEST_CASE(
    "oneshot blocking_recv gets the value a task sends, or RecvError when it drops the "
    "sender",
    "[sync][blocking_bridge]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    {
        auto [tx, rx] = oneshot::channel<std::string>();
        std::optional<sync::Result<std::string, oneshot::RecvError>> got;
        bool spent_refused = false;
        std::thread plain([&, rx = std::move(rx)]() mutable {
            got.emplace(rx.blocking_recv());
            spent_refused = !refusal_of([&] { (void)rx.blocking_recv(); }).empty();
        });
        rt.block_on([](oneshot::Sender<std::string> tx) -> Task<void> {
            co_await time::sleep(5ms);
            (void)tx.send("hello");
        }(std::move(tx)));
        plain.join();
        REQUIRE(got);
        REQUIRE(got->is_ok());
        CHECK(**got == "hello");
        CHECK(spent_refused);
    }
    {
        auto [tx, rx] = oneshot::channel<int>();
        bool failed = false;
        std::thread plain(
            [&, rx = std::move(rx)]() mutable { failed = rx.blocking_recv().is_err(); });
        rt.block_on([](oneshot::Sender<int> tx) -> Task<void> {
            co_await time::sleep(5ms);
            { auto gone = std::move(tx); }
        }(std::move(tx)));
        plain.join();
        CHECK(failed);
    }
}

TEST_CASE("Semaphore blocking_acquire waits in line with the tasks and fails once closed",
          "[sync][blocking_bridge]") {
    auto rt = weft::test::make_runtime(Flavor::multi_thread);
    sync::Semaphore sem(1);
    auto holder = rt.spawn([](sync::Semaphore& sem) -> Task<void> {
        auto p = (co_await sem.acquire()).value();
        co_await time::sleep(20ms);
    }(sem));
    while (sem.available_permits() == 1) std::this_thread::sleep_for(1ms);  // the task holds it
    {
        auto permit = sem.blocking_acquire();  // granted when the task lets go
        REQUIRE(permit.is_ok());
        CHECK(permit->num_permits() == 1);
        CHECK(sem.available_permits() == 0);
    }
    CHECK(sem.available_permits() == 1);
    auto two = sem.blocking_acquire_many(0);
    CHECK(two.is_ok());
    std::thread closer([&] {
        std::this_thread::sleep_for(10ms);
        sem.close();
    });
    auto failed = sem.blocking_acquire_many(2);  // can never be granted: waits for the close
    CHECK(failed.is_err());
    closer.join();
    (void)holder;
}

TEST_CASE("the blocking bridges refuse to run on a runtime thread, naming the call",
          "[sync][blocking_bridge]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        // Named variables, not structured bindings: clang 14 cannot capture a binding in a lambda
        // (allowed since C++20, implemented in clang 16).
        auto channel = mpsc::channel<int>(1);
        auto& tx = std::get<0>(channel);
        auto& rx = std::get<1>(channel);
        auto one = oneshot::channel<int>();
        auto& orx = std::get<1>(one);
        sync::Semaphore sem(0);
        CHECK_THAT(
            refusal_of([&] { (void)tx.blocking_send(1); }),
            Catch::Contains("mpsc::Sender::blocking_send") && Catch::Contains("runtime thread"));
        CHECK_THAT(refusal_of([&] { (void)rx.blocking_recv(); }),
                   Catch::Contains("mpsc::Receiver::blocking_recv"));
        CHECK_THAT(refusal_of([&] { (void)orx.blocking_recv(); }),
                   Catch::Contains("oneshot::Receiver::blocking_recv"));
        CHECK_THAT(refusal_of([&] { (void)sem.blocking_acquire(); }),
                   Catch::Contains("Semaphore::blocking_acquire"));
        // Nothing was consumed by the refused calls.
        CHECK(tx.try_send(2).is_ok());
        CHECK(orx.valid());

        // A spawn_blocking thread is not a runtime thread.
        // Named first: GCC 12 destroys a capturing lambda twice inside a co_await expression.
        auto receive =
            spawn_blocking([rx = std::move(rx)]() mutable { return rx.blocking_recv(); });
        auto got = co_await receive;
        CHECK(got == 2);
        co_return;
    }());
}
