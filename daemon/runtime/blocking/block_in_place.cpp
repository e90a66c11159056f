// block_in_place: the hand-off of a multi_thread worker (Tokio's block_in_place, which hands the
// worker's core to a new thread and never takes it back).
//
// A Worker (queues, LIFO slot, parker, counters, tick) is run by exactly one thread at a time:
// the thread whose tls().worker points to it. block_in_place moves that ownership:
//
//  1. T1, a worker thread polling task A, calls block_in_place. It clears tls().worker first:
//     from then on T1 neither pushes to the Worker's local queue (wakes and spawns from T1 go to
//     the global queue and notify a parked worker, as from any thread outside the runtime) nor
//     reads or writes the Worker's single-owner fields.
//  2. T1 starts T2 on the Worker's run loop (MultiThread::hand_off). Starting a std::thread
//     happens-before its first instruction, so T2 sees every write T1 made to the Worker; T2
//     is now its only owner: it runs the LIFO slot and the local queue T1 left, parks, steals.
//     Other threads' wakes and steals are unaffected (they never depended on which thread owns
//     the Worker: wakes from outside go to the global queue, steals are multi-consumer).
//  3. T1 leaves the task context (tls().task and cx cleared, budget unconstrained: no await is
//     possible in f) and runs f. Nothing waits for it: T2 keeps the worker's tasks running.
//  4. After f, T1 restores A's task context and finishes A's poll. A's wakes during that time
//     take the path of step 1. When the poll returns, the worker loop on T1's stack sees
//     tls().worker no longer names its Worker (Worker::poll, run_task, run check after each
//     poll) and returns without touching the Worker; T1's thread ends and is joined when the
//     next hand-off or the shutdown reaps it.
//  5. Shutdown after step 2 joins T2 like any worker thread, and T1 (waiting for f, if it still
//     runs). A hand-off requested once shutdown began starts no thread: T1 stays the owner and
//     just runs f.
// On current_thread the one thread is the runtime: the default SchedulerHandle refuses.
#include "runtime/blocking/block_in_place.hpp"

#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"

namespace weft::detail {

BlockInPlaceRegion::BlockInPlaceRegion() {
    auto& c = tls();
    // A thread that owns no worker (or no runtime at all) has nothing to hand off.
    if (c.worker && c.scheduler) c.scheduler->enter_block_in_place();  // steps 1-2, or throws
    task_ = std::exchange(c.task, nullptr);                            // step 3
    cx_ = std::exchange(c.cx, nullptr);
    budget_ = std::exchange(c.budget, coop::kUnconstrained);
}

BlockInPlaceRegion::~BlockInPlaceRegion() {
    auto& c = tls();  // step 4
    c.task = task_;
    c.cx = cx_;
    c.budget = budget_;
}

}  // namespace weft::detail
