// Specification of weft::block_in_place: on a multi_thread worker the worker's queues go to
// another thread so every other task keeps running while `f` blocks; the task carries on after
// it; a current_thread runtime refuses; outside a task `f` just runs; inside `f` the blocking
// bridges work, as in Tokio.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/blocking/block_in_place.hpp"
#include "runtime/blocking/spawn_blocking.hpp"
#include "runtime/sync/oneshot.hpp"
#include "runtime/task/yield_now.hpp"
#include "runtime/time/time.hpp"
#include "support.hpp"

using namespace weft;
using namespace std::chrono_literals;

namespace {

Task<void> open_gate(std::shared_ptr<std::promise<void>> gate) {
    gate->set_value();
    co_return;
}

}  // namespace

TEST_CASE("block_in_place: on a one-worker multi_thread runtime the other tasks keep running",
          "[block_in_place]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    // The root task blocks in f until another task of the same worker opens the gate: only a
    // hand-off of the worker lets that task run (without one, f gives up after 10 s).
    const bool opened = rt.block_on([]() -> Task<bool> {
        auto gate = std::make_shared<std::promise<void>>();
        auto opened = gate->get_future();
        auto opener = spawn(open_gate(gate));
        const bool ok =
            block_in_place([&opened] { return opened.wait_for(10s) == std::future_status::ready; });
        co_await opener;
        co_return ok;
    }());
    CHECK(opened);
}

TEST_CASE("block_in_place: gives f's value and the task goes on awaiting afterwards, every time",
          "[block_in_place]") {
    auto rt = Builder::new_multi_thread().worker_threads(2).build();
    const int sum = rt.block_on([]() -> Task<int> {
        int total = 0;
        for (int i = 1; i <= 30; ++i) {  // 30 hand-offs: the ended threads are reaped
            total += block_in_place([i] { return i; });
            co_await yield_now();
            co_await time::sleep(1ms);
        }
        co_return total;
    }());
    CHECK(sum == 465);
    CHECK(rt.metrics().num_workers == 2);
}

TEST_CASE("block_in_place: many tasks block at once while others run, and the runtime shuts down",
          "[block_in_place]") {
    std::atomic<int> ran{0};
    {
        auto rt = Builder::new_multi_thread().worker_threads(2).build();
        rt.block_on([](std::atomic<int>& ran) -> Task<void> {
            std::vector<JoinHandle<void>> tasks;
            for (int i = 0; i < 16; ++i) {
                tasks.push_back(spawn([](std::atomic<int>& ran, int i) -> Task<void> {
                    if (i % 2 == 0) {
                        block_in_place([] { std::this_thread::sleep_for(20ms); });
                    } else {
                        co_await time::sleep(5ms);
                    }
                    ran.fetch_add(1);
                }(ran, i)));
            }
            for (auto& t : tasks) co_await t;
        }(ran));
    }
    CHECK(ran.load() == 16);
}

TEST_CASE("block_in_place: a current_thread runtime refuses it with a clear error",
          "[block_in_place]") {
    auto rt = Builder::new_current_thread().build();
    bool ran = false;
    const std::string what = rt.block_on([](bool& ran) -> Task<std::string> {
        try {
            block_in_place([&ran] { ran = true; });
        } catch (const std::logic_error& e) {
            co_return e.what();
        }
        co_return "no error";
    }(ran));
    CHECK_THAT(what, Catch::Contains("block_in_place called on a current_thread runtime"));
    CHECK_FALSE(ran);
}

TEST_CASE("block_in_place: outside any task f just runs", "[block_in_place]") {
    CHECK(block_in_place([] { return 7; }) == 7);  // no runtime at all
    auto rt = Builder::new_current_thread().build();
    // A spawn_blocking thread runs no task, even for a current_thread runtime.
    const int v = rt.block_on([]() -> Task<int> {
        co_return co_await spawn_blocking([] { return block_in_place([] { return 8; }); });
    }());
    CHECK(v == 8);
}

TEST_CASE("block_in_place: inside f the blocking bridges work, as in Tokio", "[block_in_place]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    const int got = rt.block_on([]() -> Task<int> {
        auto channel = sync::oneshot::channel<int>();
        auto& rx = channel.second;
        auto sender = spawn([](sync::oneshot::Sender<int> tx) -> Task<void> {
            co_await time::sleep(5ms);
            (void)tx.send(5);
        }(std::move(channel.first)));
        const int v = block_in_place([&rx] { return rx.blocking_recv().value(); });
        co_await sender;
        co_return v;
    }());
    CHECK(got == 5);
}

TEST_CASE("block_in_place: an exception from f reaches the task, which goes on",
          "[block_in_place]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    const std::string what = rt.block_on([]() -> Task<std::string> {
        std::string message;
        try {
            block_in_place([] { throw std::runtime_error("legacy call failed"); });
        } catch (const std::runtime_error& e) {
            message = e.what();
        }
        co_await time::sleep(1ms);  // still a task of the runtime
        co_return message;
    }());
    CHECK(what == "legacy call failed");
}

TEST_CASE("block_in_place: inside f, Handle::block_on runs a task of the same runtime",
          "[block_in_place]") {
    auto rt = Builder::new_multi_thread().worker_threads(1).build();
    const int v = rt.block_on([]() -> Task<int> {
        co_return block_in_place([] {
            return Handle::current().block_on([]() -> Task<int> {
                co_await time::sleep(1ms);
                co_return 9;
            }());
        });
    }());
    CHECK(v == 9);
}
