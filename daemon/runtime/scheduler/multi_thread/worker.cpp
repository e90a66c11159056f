// The worker run loop (Tokio's `multi_thread/worker.rs`, 1.24, plus its later cap on LIFO polls).
//
// Per tick a worker takes one task: every global_queue_interval ticks from the global queue and
// then its overflow list first (so neither can starve), otherwise from its LIFO slot, local
// queue, overflow list and the global queue; every event_interval ticks it polls the driver
// without blocking. A full local queue sheds half into the worker's own overflow list (Tokio
// sheds into the global queue): the tasks stay on the core whose cache holds them, and another
// worker takes them only when it has nothing else (steal_work). After a task it keeps running the
// task that task woke (the LIFO slot) while budget remains, at most kMaxLifoPolls in a row.
// Without local work it searches (steals) if fewer than half the workers already do, and parks.
#include "runtime/scheduler/multi_thread/worker.hpp"

#include <pthread.h>

#include <chrono>

#include "runtime/context/thread_context.hpp"
#include "runtime/coop/budget.hpp"
#include "runtime/metrics/timed_poll.hpp"
#include "runtime/util/block_cache.hpp"

namespace weft::detail {
namespace {

constexpr int kMaxLifoPolls = 3;

std::uint64_t now_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

void Worker::run() {
    const block_cache::ThreadScope keep_blocks;  // this thread reuses the blocks its tasks free
    auto& c = tls();
    c.scheduler = &shared;
    c.worker = this;
    c.forced_yields = &counters.budget_forced_yields;
    if (shared.config_.poll_time_histogram) c.poll_watch = &counters.watch;
    std::uint64_t busy_since = now_ns();
    while (!shared.is_shutdown()) {
        ++tick;
        if (tick % shared.config_.event_interval == 0) maintenance();
        task::Header* t = next_task();
        if (!t) t = steal_work();
        if (t) {
            run_task(t);
            // block_in_place handed this worker to another thread during the poll: this thread
            // no longer touches it (blocking/block_in_place.cpp, step 4).
            if (c.worker != this) break;
            continue;
        }
        WorkerCounters::bump(counters.busy_ns, now_ns() - busy_since);
        park();
        busy_since = now_ns();
    }
    if (c.worker == this) WorkerCounters::bump(counters.busy_ns, now_ns() - busy_since);
    c = ThreadContext{};
}

task::Header* Worker::next_task() {
    if (tick % shared.config_.global_queue_interval == 0) {
        if (task::Header* t = shared.inject_.pop()) return t;
        if (task::Header* t = overflow.pop()) return t;
    }
    if (lifo_slot.load(std::memory_order_relaxed)) {
        if (task::Header* t = lifo_slot.exchange(nullptr, std::memory_order_acq_rel)) return t;
    }
    if (task::Header* t = run_queue.pop()) return t;
    if (task::Header* t = overflow.pop()) return t;
    return shared.inject_.pop();
}

// Half of another worker's local queue, else a task from another worker's overflow list (queues
// first: one steal takes many tasks), else the global queue.
task::Header* Worker::steal_work() {
    if (!is_searching) is_searching = shared.idle_.transition_worker_to_searching();
    if (!is_searching) return nullptr;
    const std::size_t n = shared.workers_.size();
    const std::size_t start = next_random() % n;
    auto from_others = [&](auto take) -> task::Header* {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t victim = (start + i) % n;
            if (victim == index) continue;
            if (task::Header* t = take(*shared.workers_[victim])) return t;
        }
        return nullptr;
    };
    if (task::Header* t =
            from_others([&](Worker& v) { return v.run_queue.steal_into(run_queue, counters); }))
        return t;
    if (task::Header* t = from_others([](Worker& v) { return v.overflow.pop(); })) return t;
    return shared.inject_.pop();
}

void Worker::run_task(task::Header* t) {
    transition_from_searching();
    tls().budget = shared.config_.budget;
    poll(t);
    // The LIFO tasks share the budget of the poll that woke them.
    // tls().worker != this: block_in_place handed the worker (and its slot) to another thread.
    for (int lifo_polls = 0; tls().worker == this && lifo_slot.load(std::memory_order_relaxed);
         ++lifo_polls) {
        task::Header* next = lifo_slot.exchange(nullptr, std::memory_order_acq_rel);
        if (!next) return;  // taken by the stall monitor
        if (lifo_polls >= kMaxLifoPolls || !coop::has_budget_remaining()) {
            run_queue.push_back(next, overflow, counters);
            return;
        }
        WorkerCounters::bump(counters.lifo_hits);
        poll(next);
    }
}

void Worker::poll(task::Header* t) {
    WorkerCounters::bump(counters.polls);
    if (!shared.config_.poll_time_histogram) {
        task::run(t);
        return;
    }
    timed_poll(t, counters, shared.config_);
}

void Worker::maintenance() { park_timeout_zero(); }

void Worker::park_timeout_zero() {
    is_parked = true;
    parker.park_timeout_zero();
    is_parked = false;
    if (should_notify_others()) shared.notify_parked();
}

void Worker::park() {
    if (!transition_to_parked()) return;
    while (!shared.is_shutdown()) {
        WorkerCounters::bump(counters.parks);
        is_parked = true;
        parker.park();
        is_parked = false;
        WorkerCounters::bump(counters.unparks);
        // Work the driver woke into our queue is for everyone: let a searcher take it.
        if (should_notify_others()) shared.notify_parked();
        if (transition_from_parked()) return;
    }
}

bool Worker::transition_to_parked() {
    if (lifo_slot.load(std::memory_order_relaxed) || has_local_work()) return false;
    bool last_searcher = shared.idle_.transition_worker_to_parked(index, is_searching);
    is_searching = false;
    if (last_searcher) shared.notify_if_work_pending();
    return true;
}

bool Worker::transition_from_parked() {
    if (lifo_slot.load(std::memory_order_relaxed)) {
        // Woken by our own driver dispatch, not by another worker: search only if nobody
        // unparked us.
        is_searching = !shared.idle_.unpark_worker_by_id(index);
        return true;
    }
    if (shared.idle_.is_parked(index)) return false;  // spurious: still listed as asleep
    is_searching = true;                              // whoever unparked us counted us as searching
    return true;
}

void Worker::transition_from_searching() {
    if (!is_searching) return;
    is_searching = false;
    if (shared.idle_.transition_worker_from_searching()) shared.notify_parked();
}

std::uint32_t Worker::next_random() noexcept {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

// --- MultiThread ------------------------------------------------------------------------------

MultiThread::MultiThread(RuntimeConfig config)
    : SchedulerHandle(std::move(config)), idle_(config_.worker_threads) {
    driver_slot_.driver = driver_.get();
    workers_.reserve(config_.worker_threads);
    for (std::size_t i = 0; i < config_.worker_threads; ++i) {
        workers_.push_back(std::make_unique<Worker>(
            *this, i, driver_slot_, static_cast<std::uint32_t>(0x9E3779B9u * (i + 1))));
        workers_.back()->counters.watch.worker = i;
        workers_.back()->counters.watch.threshold = config_.long_poll_threshold;
        workers_.back()->counters.watch.clock = config_.poll_clock;
    }
}

void MultiThread::start() {
    {
        std::lock_guard lock(threads_mutex_);
        threads_.reserve(workers_.size());
        for (auto& w : workers_) start_thread_locked(w.get());
    }
    // The monitor frees what a stuck worker holds (needs a second worker) and reports long polls.
    if (config_.poll_time_histogram &&
        (workers_.size() > 1 || config_.long_poll_threshold.count() > 0)) {
        std::vector<PollWatch*> watches;
        for (auto& w : workers_) watches.push_back(&w->counters.watch);
        std::function<void(std::size_t, bool)> rescue;
        if (workers_.size() > 1)
            rescue = [this](std::size_t i, bool first) { this->rescue(i, first); };
        monitor_ = std::make_unique<StallMonitor>(std::move(watches), config_, std::move(rescue));
    }
}

void MultiThread::start_thread_locked(Worker* worker) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread thread([this, worker, done] {
        std::string name = config_.thread_name + "-" + std::to_string(worker->index);
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        if (config_.on_thread_start) config_.on_thread_start();
        worker->run();
        if (config_.on_thread_stop) config_.on_thread_stop();
        done->store(true, std::memory_order_release);
    });
    threads_.push_back(WorkerThread{std::move(thread), std::move(done)});
}

void MultiThread::enter_block_in_place() {
    auto& c = tls();
    auto* w = static_cast<Worker*>(c.worker);
    std::lock_guard lock(threads_mutex_);
    if (is_shutdown()) return;  // step 5: no new thread; this one stays the owner
    // Reap the threads that lost their worker to an earlier hand-off and have ended.
    for (auto it = threads_.begin(); it != threads_.end();) {
        if (it->done->load(std::memory_order_acquire)) {
            it->thread.join();
            it = threads_.erase(it);
        } else {
            ++it;
        }
    }
    threads_.reserve(threads_.size() + 1);  // may throw: nothing handed off yet
    c.worker = nullptr;                     // step 1
    c.forced_yields = nullptr;
    // The poll in progress leaves the worker with this thread: it is no stall of the worker's
    // (the stall monitor stops watching it), its end is not the worker's to record, and its tags
    // (PollTagScopes that end later, on this thread) no longer name the worker's polls.
    PollWatch* const watch = std::exchange(c.poll_watch, nullptr);
    if (watch) {
        watch->started_ns.store(0, std::memory_order_relaxed);
        watch->restore_tag(nullptr);
        watch->tagged = false;
    }
    try {
        start_thread_locked(w);  // step 2
    } catch (...) {
        c.worker = w;  // no thread: keep the worker, run f here
        c.forced_yields = &w->counters.budget_forced_yields;
        c.poll_watch = watch;
        throw;
    }
}

void MultiThread::rescue(std::size_t index, bool first) noexcept {
    if (is_shutdown()) return;
    task::Header* t = workers_[index]->lifo_slot.exchange(nullptr, std::memory_order_acq_rel);
    if (t) inject_.push(t);
    if (t || first) notify_parked();
}

MultiThread::~MultiThread() { shutdown(std::chrono::nanoseconds::max()); }

void MultiThread::schedule_task(task::Header* t, bool is_yield) noexcept {
    auto& c = tls();
    if (c.scheduler == this && c.worker) {
        schedule_local(*static_cast<Worker*>(c.worker), t, is_yield);
        return;
    }
    inject_.push(t);
    notify_parked();
}

void MultiThread::schedule_local(Worker& w, task::Header* t, bool is_yield) noexcept {
    bool should_notify;
    if (is_yield || !config_.lifo_slot) {
        w.run_queue.push_back(t, w.overflow, w.counters);
        // A yield wakes no parked worker: this worker is running and polls the task itself, and
        // its next maintenance wakes a parked one if its queue still holds tasks to steal
        // (park_timeout_zero). Tokio defers yields the same way. Notifying on each yield made
        // every yield a read-modify-write of the idle state's shared cache line.
        should_notify = !is_yield;
    } else {
        task::Header* prev = w.lifo_slot.exchange(t, std::memory_order_acq_rel);
        should_notify = prev != nullptr;
        if (prev) w.run_queue.push_back(prev, w.overflow, w.counters);
    }
    // A parked worker (dispatching driver events) looks for sleepers itself after the park.
    if (should_notify && !w.is_parked) notify_parked();
}

void MultiThread::notify_parked() noexcept {
    if (auto i = idle_.worker_to_notify()) workers_[*i]->parker.unpark();
}

void MultiThread::notify_if_work_pending() noexcept {
    for (auto& w : workers_) {
        if (w->has_local_work()) {
            notify_parked();
            return;
        }
    }
    if (!inject_.is_empty()) notify_parked();
}

void MultiThread::block_until_complete(task::Header* root) {
    if (tls().scheduler == this && tls().worker)
        throw std::logic_error("Runtime::block_on called from a worker thread of the same runtime");
    wait_from_outside(root);
}

void MultiThread::shutdown(std::chrono::nanoseconds blocking_timeout) {
    std::lock_guard lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    monitor_.reset();  // joined before the workers are: it touches their queues
    shutdown_.store(true, std::memory_order_release);
    for (auto& w : workers_) w->parker.unpark();
    // A hand-off may add a thread until it sees the shutdown flag: join until none is left.
    for (;;) {
        std::vector<WorkerThread> threads;
        {
            std::lock_guard threads_lock(threads_mutex_);
            threads.swap(threads_);
        }
        if (threads.empty()) break;
        for (auto& t : threads) {
            if (t.thread.get_id() == std::this_thread::get_id())
                std::terminate();  // dropped from a worker
            t.thread.join();
        }
    }
    owned_.close_and_shutdown_all();
    // Drop every notification still queued; cancelled tasks' destructors may add more.
    for (bool more = true; more;) {
        more = false;
        auto drop_all = [&more](auto&& pop) {
            while (task::Header* t = pop()) {
                task::drop_notification(t);
                more = true;
            }
        };
        for (auto& w : workers_) {
            drop_all([&w] { return w->lifo_slot.exchange(nullptr, std::memory_order_acq_rel); });
            drop_all([&w] { return w->run_queue.pop(); });
            drop_all([&w] { return w->overflow.pop(); });
        }
        drop_all([this] { return inject_.pop(); });
    }
    finish_shutdown(blocking_timeout);
}

RuntimeMetrics MultiThread::metrics() const {
    RuntimeMetrics m;
    m.num_workers = workers_.size();
    for (const auto& w : workers_) {
        WorkerMetrics wm = w->counters.snapshot();
        wm.local_queue_depth = w->run_queue.len() + w->overflow.len();
        m.workers.push_back(wm);
        for (std::size_t i = 0; i < kPollHistogramBuckets; ++i)
            m.poll_time_histogram[i] +=
                w->counters.poll_histogram[i].load(std::memory_order_relaxed);
    }
    m.global_queue_depth = inject_.len();
    fill_common_metrics(m);
    return m;
}

std::shared_ptr<SchedulerHandle> make_multi_thread(const RuntimeConfig& config) {
    auto rt = std::make_shared<MultiThread>(config);
    rt->start();
    return rt;
}

}  // namespace weft::detail
