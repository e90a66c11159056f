// The blocking pool's wait/wake protocol (pool.hpp says what the pool does; this is how its
// threads sleep and are woken without losing work). Everything below is decided under `mutex`.
//
//   1. An idle thread waits on idle_cv, counted in num_idle. To wake one, the waker moves one
//      count from num_idle to num_notify and signals idle_cv once, after unlocking. At most one
//      thread is on its way at a time: nobody wakes another while num_notify > 0.
//   2. Invariant, under the lock: threads inside the idle wait = num_idle + num_notify. Entering
//      adds to num_idle; leaving takes one from num_notify (a notification) or, only when
//      num_notify is 0, from num_idle (keep_alive timed out, or shutdown).
//   3. A thread checks num_notify under the lock after every return from the wait, whatever woke
//      it (the signal meant for it, another's, a spurious wake-up or its timeout), so a
//      notification is taken by some waiting thread, not necessarily the one signalled: while
//      num_notify > 0 there is a waiter (rule 2), and the spawn's signal, sent after the count,
//      wakes one that has not yet looked (a signal wakes a thread already waiting when it is
//      sent). A thread that finds num_notify taken by another waits again.
//   4. A thread that takes work and leaves work queued sees that someone else comes for it:
//      it wakes an idle thread (if none is on its way) or starts one (should_grow). So a burst
//      of spawns costs one wake-up, and the woken threads wake each other while work remains,
//      instead of one wake-up (and a context switch of the spawner) per call.
//   5. Work is never queued without a thread to run it: the spawn either woke an idle thread,
//      or found one on its way (num_notify > 0: it takes the lock after the push, pops, and
//      wakes the next while work remains, rule 4), or started a thread, or every thread is busy
//      (each looks at the queue before it goes idle, under the lock the spawn pushed under).
#include "runtime/blocking/pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "runtime/context/thread_context.hpp"
#include "runtime/scheduler/scheduler_handle.hpp"
#include "runtime/util/intrusive_list.hpp"
#include "runtime/util/stress.hpp"

namespace weft::detail {

// Everything the pool's threads touch: shared with them by shared_ptr, so that threads abandoned
// at shutdown outlive the runtime safely.
struct BlockingPool::Shared {
    // configuration (immutable)
    std::size_t thread_cap = 0;
    std::chrono::milliseconds keep_alive{0};
    std::function<void()> on_start, on_stop;
    std::shared_ptr<std::atomic<std::size_t>> inhibit;  // published: queued + running work

    std::mutex mutex;
    std::condition_variable idle_cv;  // idle threads wait here
    std::condition_variable exit_cv;  // shutdown waits here for num_th == 0
    // all below guarded by mutex
    weft::detail::IntrusiveList<BlockingTask, BlockingTask, &BlockingTask::queue_prev,
                                &BlockingTask::queue_next>
        queue;
    std::size_t queue_len = 0;
    std::size_t num_th = 0;        // threads alive, starting ones included
    std::size_t num_idle = 0;      // threads waiting for work and not yet notified
    std::size_t num_notify = 0;    // notifications sent and not yet taken
    std::size_t num_starting = 0;  // threads created that have not taken the lock yet
    std::size_t num_running = 0;   // work taken from the queue and not yet finished
    bool shutdown = false;
    std::size_t abandoned = 0;
    std::size_t next_id = 0;
    std::unordered_map<std::size_t, std::thread> threads;
    std::optional<std::thread> last_exiting;  // joined by the next thread to retire
    std::weak_ptr<SchedulerHandle> runtime;

    // metrics mirrors, readable without the lock
    std::atomic<std::size_t> m_threads{0}, m_idle{0}, m_queue{0};

    // Under the lock, after every change. The inhibitor is written here, by the lock holder,
    // rather than counted with atomic adds by every thread: one store instead of two contended
    // read-modify-writes per call. A finished call is uncounted when its thread takes the lock
    // again, which is after it woke the awaiting task (see pool.hpp: auto-advance).
    void publish() noexcept {
        m_threads.store(num_th, std::memory_order_relaxed);
        m_idle.store(num_idle, std::memory_order_relaxed);
        m_queue.store(queue_len, std::memory_order_relaxed);
        inhibit->store(queue_len + num_running, std::memory_order_release);
    }
    void push(BlockingTask* t) noexcept {
        queue.push_back(t);
        ++queue_len;
    }
    BlockingTask* pop() noexcept {
        BlockingTask* t = queue.pop_front();
        if (t) --queue_len;
        return t;
    }
    // Rules 4-5, under the lock: who comes for queued work. An idle thread is woken unless one is
    // on its way already; with none idle the pool may grow. Counted here; send_helper acts.
    enum class Helper { none, wake, start };
    [[nodiscard]] Helper claim_helper() noexcept {
        if (queue_len > 0 && num_idle > 0) {
            if (num_notify > 0) return Helper::none;
            --num_idle;
            ++num_notify;
            return Helper::wake;
        }
        if (!should_grow()) return Helper::none;
        ++num_th;
        ++num_starting;
        return Helper::start;
    }
    // Work waits, nobody is idle, and fewer threads are on their way than work waiting.
    [[nodiscard]] bool should_grow() const noexcept {
        return queue_len > 0 && num_idle == 0 && num_th < thread_cap &&
               num_starting < std::min(queue_len, kMaxStarting);
    }
};

namespace {

using Shared = BlockingPool::Shared;

void thread_main(std::shared_ptr<Shared> s, std::size_t id);

// Starts one thread; the caller counted it in num_th and num_starting. Creates it unlocked.
void start_thread(const std::shared_ptr<Shared>& s, std::unique_lock<std::mutex>& lock) noexcept {
    const std::size_t id = s->next_id++;
    lock.unlock();
    std::thread t;
    try {
        t = std::thread(&thread_main, s, id);
    } catch (...) {  // out of threads: the work waits for a running thread
        lock.lock();
        --s->num_th;
        --s->num_starting;
        s->publish();
        return;
    }
    lock.lock();
    if (s->shutdown)
        t.detach();  // shutdown already took the thread list; it waits on num_th
    else
        s->threads.emplace(id, std::move(t));
}

// Publishes the counts, starts the thread claim_helper counted or signals the idle thread it
// claimed, and returns unlocked. The signal is sent unlocked (rules 1-3): the woken thread wants
// the lock at once, and a wakee that preempts the signaller (the scheduler favours it) would only
// block on a lock still held and switch back.
void send_helper(const std::shared_ptr<Shared>& s, std::unique_lock<std::mutex>& lock,
                 Shared::Helper helper) noexcept {
    s->publish();
    if (helper == Shared::Helper::start) start_thread(s, lock);
    lock.unlock();
    if (helper != Shared::Helper::wake) return;
    WEFT_STRESS_POINT();  // counted, not yet signalled: the waiter may time out meanwhile
    s->idle_cv.notify_one();
}

void thread_main(std::shared_ptr<Shared> s, std::size_t id) {
    const std::string name = "weft-blocking-" + std::to_string(id);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    if (s->on_start) s->on_start();

    ThreadContext& context = tls();
    std::unique_lock lock(s->mutex);
    --s->num_starting;
    bool retire = false;
    for (;;) {
        // busy: the runtime is kept alive and current while this thread runs its calls
        std::shared_ptr<SchedulerHandle> runtime = s->runtime.lock();
        context.scheduler = runtime.get();  // Handle::current(), weft::spawn work in the closure
        while (!s->shutdown) {
            BlockingTask* t = s->pop();
            if (!t) break;
            ++s->num_running;
            send_helper(s, lock, s->claim_helper());  // rule 4: for the work left queued
            t->run();  // wakes the handle, releases the pool's reference
            lock.lock();
            --s->num_running;
            if (runtime && s->queue_len + s->num_running == 0) {
                // The last work in flight is done: a paused clock may auto-advance again. Work
                // nobody awaits woke no task, so wake the parked runtime to look (Tokio does the
                // same); otherwise it sleeps in real time until the timer it stopped short of.
                s->publish();
                if (runtime->driver().time().clock().is_paused()) runtime->driver().unpark();
            }
        }
        context.scheduler = nullptr;
        if (runtime) {  // dropped unlocked: it may be the last reference (abandoned work)
            lock.unlock();
            runtime.reset();
            lock.lock();
        }
        s->publish();
        if (s->shutdown) break;
        ++s->num_idle;  // idle
        s->publish();
        bool notified = false;
        for (;;) {
            WEFT_STRESS_POINT();  // about to wait: a spawn may be between its count and signal
            const auto status = s->idle_cv.wait_for(lock, s->keep_alive);
            if (s->num_notify > 0) {  // the notifier already took us off num_idle
                --s->num_notify;
                notified = true;
                break;
            }
            if (s->shutdown) {
                --s->num_idle;
                break;
            }
            if (status == std::cv_status::timeout) {
                --s->num_idle;
                retire = true;
                break;
            }
        }
        s->publish();
        if (!notified) break;
    }

    --s->num_th;
    s->publish();
    std::optional<std::thread> to_join;
    if (retire && !s->shutdown) {
        auto it = s->threads.find(id);
        if (it != s->threads.end()) {
            to_join = std::exchange(s->last_exiting, std::move(it->second));
            s->threads.erase(it);
        }
    }
    if (s->shutdown && s->num_th == 0) s->exit_cv.notify_all();
    lock.unlock();
    if (s->on_stop) s->on_stop();
    if (to_join && to_join->joinable()) to_join->join();
}

}  // namespace

BlockingPool::BlockingPool(const RuntimeConfig& config,
                           std::shared_ptr<std::atomic<std::size_t>> auto_advance_inhibit)
    : shared_(std::make_shared<Shared>()) {
    shared_->thread_cap = config.max_blocking_threads;
    shared_->keep_alive = config.thread_keep_alive;
    shared_->on_start = config.on_thread_start;
    shared_->on_stop = config.on_thread_stop;
    shared_->inhibit = std::move(auto_advance_inhibit);
}

BlockingPool::~BlockingPool() { shutdown(std::chrono::nanoseconds::max()); }

void BlockingPool::spawn(BlockingTask* task, SchedulerHandle& runtime) noexcept {
    Shared& s = *shared_;
    std::unique_lock lock(s.mutex);
    if (s.shutdown) {
        lock.unlock();
        task->drop();
        return;
    }
    if (s.runtime.expired()) s.runtime = runtime.weak_from_this();
    s.push(task);
    send_helper(shared_, lock, s.claim_helper());  // rule 5
}

std::size_t BlockingPool::shutdown(std::chrono::nanoseconds timeout) noexcept {
    Shared& s = *shared_;
    std::unique_lock lock(s.mutex);
    if (s.shutdown) return s.abandoned;
    s.shutdown = true;
    auto queued = std::move(s.queue);  // leaves s.queue empty
    s.queue_len = 0;
    std::unordered_map<std::size_t, std::thread> threads = std::move(s.threads);
    s.threads.clear();
    std::optional<std::thread> last = std::exchange(s.last_exiting, std::nullopt);
    s.publish();
    s.idle_cv.notify_all();
    lock.unlock();

    // Never started: drop the closures, the handles report cancelled.
    while (BlockingTask* t = queued.pop_front()) t->drop();

    lock.lock();
    auto all_exited = [&] { return s.num_th == 0; };
    bool done;
    if (timeout >= std::chrono::hours(24 * 365)) {
        s.exit_cv.wait(lock, all_exited);
        done = true;
    } else {
        done = s.exit_cv.wait_until(lock, std::chrono::steady_clock::now() + timeout, all_exited);
    }
    s.abandoned = done ? 0 : s.num_th;
    const std::size_t abandoned = s.abandoned;
    lock.unlock();

    for (auto& [id, t] : threads) {
        if (done)
            t.join();
        else
            t.detach();  // still running work: it keeps only `s` alive
    }
    if (last) {
        if (done)
            last->join();
        else
            last->detach();
    }
    return abandoned;
}

std::size_t BlockingPool::num_threads() const noexcept {
    return shared_->m_threads.load(std::memory_order_relaxed);
}
std::size_t BlockingPool::num_idle_threads() const noexcept {
    return shared_->m_idle.load(std::memory_order_relaxed);
}
std::size_t BlockingPool::queue_depth() const noexcept {
    return shared_->m_queue.load(std::memory_order_relaxed);
}
std::size_t BlockingPool::abandoned() const noexcept {
    std::lock_guard lock(shared_->mutex);
    return shared_->abandoned;
}

}  // namespace weft::detail
