// Shared helpers of the runtime tests: building each flavor, small latches.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "runtime/runtime.hpp"
#include "runtime/time/sleep.hpp"

namespace weft::test {

// Both flavors, so that a test can run its body on each (GENERATE(flavors())).
inline std::vector<Flavor> flavors() { return {Flavor::current_thread, Flavor::multi_thread}; }

inline Runtime make_runtime(Flavor flavor, std::size_t workers = 2) {
    return flavor == Flavor::current_thread
               ? Builder::new_current_thread().build()
               : Builder::new_multi_thread().worker_threads(workers).build();
}

inline std::string name_of(Flavor f) {
    return f == Flavor::current_thread ? "current_thread" : "multi_thread";
}

// Aborts every task and waits until each has ended, however it ended (value, failure or
// cancellation): for tests that only need the tasks gone.
template <class T>
Task<void> abort_and_join(std::vector<JoinHandle<T>>& handles) {
    for (auto& h : handles) h.abort();
    for (auto& h : handles) {
        try {
            co_await h;
        } catch (const JoinError&) {
        }
    }
}

// Polls `cond` on the runtime every 5 ms for up to 10 s (a loaded machine is slow, never this
// slow): true as soon as it holds.
template <class F>
Task<bool> eventually(F cond) {
    for (int i = 0; i < 2000; ++i) {
        if (cond()) co_return true;
        co_await time::sleep(std::chrono::milliseconds(5));
    }
    co_return cond();
}

// Counts live instances, to check that destructors of cancelled tasks ran.
struct DropCounter {
    std::atomic<int>* live;
    explicit DropCounter(std::atomic<int>& c) : live(&c) { live->fetch_add(1); }
    DropCounter(const DropCounter&) = delete;
    ~DropCounter() { live->fetch_sub(1); }
};

}  // namespace weft::test
