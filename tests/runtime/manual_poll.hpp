// Polling awaitables by hand, outside any task, to observe one poll at a time: whether it is
// ready, and whether (and how often) it woke the waker it was given.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/task/context.hpp"
#include "runtime/task/waker.hpp"

namespace weft::test {

// A waker whose data is a std::atomic<int> counting its wakes. The counter must outlive every
// clone the polled awaitable keeps (a timer or a wait list may hold one after the poll).
struct CountingWaker {
    static const void* clone(const void* p) noexcept { return p; }
    static void wake(const void* p) noexcept { wake_by_ref(p); }
    static void wake_by_ref(const void* p) noexcept {
        static_cast<std::atomic<int>*>(const_cast<void*>(p))->fetch_add(1);
    }
    static void drop(const void*) noexcept {}
    static constexpr WakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};

    [[nodiscard]] static WakerRef ref(std::atomic<int>& wakes) noexcept {
        return WakerRef(&wakes, &kVTable);
    }
};

// Lifts the coop budget on this thread while it lives, and polls with a counting waker.
struct ManualPoll {
    ManualPoll() : saved(detail::tls().budget) { detail::tls().budget = coop::kUnconstrained; }
    ~ManualPoll() { detail::tls().budget = saved; }
    ManualPoll(const ManualPoll&) = delete;
    ManualPoll& operator=(const ManualPoll&) = delete;

    template <class A>
    bool poll(A& awaitable, std::atomic<int>& wakes) {
        Context cx(CountingWaker::ref(wakes));
        return awaitable.poll(cx);
    }
    std::uint32_t saved;
};

}  // namespace weft::test
