// Specification of the multi_thread local run queue, at capacity 4 so every edge is reachable.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "runtime/scheduler/multi_thread/queue.hpp"

using weft::detail::Inject;
using weft::detail::LocalQueue;
using weft::detail::WorkerCounters;
using weft::task::Header;

TEST_CASE("the local queue pops in FIFO order", "[queue]") {
    LocalQueue<4> q;
    Inject inject;
    WorkerCounters counters;
    std::array<Header, 3> tasks{};
    for (auto& t : tasks) q.push_back(&t, inject, counters);
    CHECK(q.len() == 3);
    for (auto& t : tasks) CHECK(q.pop() == &t);
    CHECK(q.pop() == nullptr);
    CHECK(q.is_empty());
}

TEST_CASE("a full local queue moves half of its tasks and the new one to its overflow list",
          "[queue]") {
    LocalQueue<4> q;
    Inject inject;
    WorkerCounters counters;
    std::array<Header, 5> tasks{};
    for (auto& t : tasks) q.push_back(&t, inject, counters);
    CHECK(counters.overflows.load() == 1);
    CHECK(q.len() == 2);
    CHECK(inject.len() == 3);
    CHECK(inject.pop() == &tasks[0]);
    CHECK(inject.pop() == &tasks[1]);
    CHECK(inject.pop() == &tasks[4]);
    CHECK(q.pop() == &tasks[2]);
    CHECK(q.pop() == &tasks[3]);
}

TEST_CASE("stealing takes half of the victim's tasks and returns one to run", "[queue]") {
    LocalQueue<4> victim, thief;
    Inject inject;
    WorkerCounters vc, tc;
    std::array<Header, 4> tasks{};
    for (auto& t : tasks) victim.push_back(&t, inject, vc);
    Header* got = victim.steal_into(thief, tc);
    CHECK(got == &tasks[1]);
    CHECK(thief.len() == 1);
    CHECK(thief.pop() == &tasks[0]);
    CHECK(victim.len() == 2);
    CHECK(tc.steals.load() == 2);
    CHECK(tc.steal_operations.load() == 1);
}

TEST_CASE("stealing from an empty queue finds nothing", "[queue]") {
    LocalQueue<4> victim, thief;
    WorkerCounters tc;
    CHECK(victim.steal_into(thief, tc) == nullptr);
}

TEST_CASE("concurrent pushes, pops and steals lose and duplicate no task", "[queue][stress]") {
    constexpr int kTasks = 20000;
    std::vector<Header> tasks(kTasks);
    std::vector<std::atomic<int>> seen(kTasks);
    LocalQueue<4> owner_q;
    Inject inject;
    WorkerCounters oc;
    std::atomic<bool> done{false};
    auto index_of = [&](Header* h) { return static_cast<std::size_t>(h - tasks.data()); };

    std::vector<std::thread> thieves;
    for (int i = 0; i < 2; ++i) {
        thieves.emplace_back([&] {
            LocalQueue<4> mine;
            WorkerCounters mc;
            while (!done.load()) {
                if (Header* h = owner_q.steal_into(mine, mc)) {
                    seen[index_of(h)].fetch_add(1);
                    while (Header* more = mine.pop()) seen[index_of(more)].fetch_add(1);
                }
                if (Header* h = inject.pop()) seen[index_of(h)].fetch_add(1);
            }
        });
    }
    for (int i = 0; i < kTasks; ++i) {
        owner_q.push_back(&tasks[i], inject, oc);
        if (i % 3 == 0)
            if (Header* h = owner_q.pop()) seen[index_of(h)].fetch_add(1);
    }
    while (Header* h = owner_q.pop()) seen[index_of(h)].fetch_add(1);
    done.store(true);
    for (auto& t : thieves) t.join();
    while (Header* h = inject.pop()) seen[index_of(h)].fetch_add(1);
    int missing = 0, duplicated = 0;
    for (auto& s : seen) {
        missing += s.load() == 0;
        duplicated += s.load() > 1;
    }
    CHECK(missing == 0);
    CHECK(duplicated == 0);
}
