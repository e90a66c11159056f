#include "runtime/scheduler/current_thread/current_thread.hpp"

#include <chrono>

#include "runtime/context/thread_context.hpp"
#include "runtime/metrics/timed_poll.hpp"
#include "runtime/util/block_cache.hpp"
#include "runtime/util/stress.hpp"

namespace weft::detail {
namespace {
std::uint64_t now_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}
}  // namespace

class CurrentThread::Enter {
   public:
    explicit Enter(CurrentThread& rt) : saved_(tls()) {
        auto& c = tls();
        c.scheduler = &rt;
        c.worker = &rt;
        c.forced_yields = &rt.counters_.budget_forced_yields;
        c.poll_watch = rt.config_.poll_time_histogram ? &rt.counters_.watch : nullptr;
    }
    ~Enter() { tls() = saved_; }
    Enter(const Enter&) = delete;
    Enter& operator=(const Enter&) = delete;

   private:
    ThreadContext saved_;
    block_cache::ThreadScope keep_blocks_;  // this thread reuses the blocks its tasks free
};

void CurrentThread::LocalQueue::push(task::Header* t) noexcept {
    t->queue_next = nullptr;
    if (tail)
        tail->queue_next = t;
    else
        head = t;
    tail = t;
    ++len;
}

task::Header* CurrentThread::LocalQueue::pop() noexcept {
    task::Header* t = head;
    if (!t) return nullptr;
    head = t->queue_next;
    if (!head) tail = nullptr;
    --len;
    return t;
}

CurrentThread::CurrentThread(RuntimeConfig config) : SchedulerHandle(std::move(config)) {
    counters_.watch.threshold = config_.long_poll_threshold;
    counters_.watch.clock = config_.poll_clock;
    if (config_.long_poll_threshold.count() > 0)
        monitor_ = std::make_unique<StallMonitor>(std::vector<PollWatch*>{&counters_.watch},
                                                  config_, nullptr);
}

CurrentThread::~CurrentThread() { shutdown(std::chrono::nanoseconds::max()); }

bool CurrentThread::on_this_thread() const noexcept { return tls().worker == this; }

void CurrentThread::schedule(task::Header* t) noexcept {
    if (on_this_thread()) {
        local_.push(t);
        return;
    }
    inject_.push(t);
    WEFT_STRESS_POINT();
    driver_->unpark();
}

task::Header* CurrentThread::next_task() noexcept {
    if (tick_ % config_.global_queue_interval == 0) {
        if (task::Header* t = inject_.pop()) return t;
        return local_.pop();
    }
    if (task::Header* t = local_.pop()) return t;
    return inject_.pop();
}

void CurrentThread::park() {
    WorkerCounters::bump(counters_.parks);
    WEFT_STRESS_POINT();
    driver_->park(std::nullopt);
    WorkerCounters::bump(counters_.unparks);
}

void CurrentThread::block_until_complete(task::Header* root) {
    std::lock_guard core(core_);
    Enter enter(*this);
    std::uint64_t busy_since = now_ns();
    const bool timed = config_.poll_time_histogram;
    while (!(root->state.load() & task::State::COMPLETE)) {
        task::Header* t = next_task();
        if (!t) {
            WorkerCounters::bump(counters_.busy_ns, now_ns() - busy_since);
            park();
            polls_since_driver_ = 0;  // the park polled the driver
            busy_since = now_ns();
            continue;
        }
        ++tick_;
        tls().budget = config_.budget;
        WorkerCounters::bump(counters_.polls);
        if (timed) {
            timed_poll(t, counters_, config_);
        } else {
            task::run(t);
        }
        if (++polls_since_driver_ == config_.event_interval) {
            polls_since_driver_ = 0;
            driver_->park(std::chrono::nanoseconds::zero());
        }
    }
    WorkerCounters::bump(counters_.busy_ns, now_ns() - busy_since);
    counters_.local_queue_depth.store(local_.len, std::memory_order_relaxed);
}

void CurrentThread::shutdown(std::chrono::nanoseconds blocking_timeout) {
    std::lock_guard core(core_);
    if (is_shutdown_) return;
    is_shutdown_ = true;
    monitor_.reset();
    Enter enter(*this);
    owned_.close_and_shutdown_all();
    // Cancelled tasks' destructors may have woken others: drop every queued notification.
    for (;;) {
        task::Header* t = local_.pop();
        if (!t) t = inject_.pop();
        if (!t) break;
        task::drop_notification(t);
    }
    finish_shutdown(blocking_timeout);
}

RuntimeMetrics CurrentThread::metrics() const {
    RuntimeMetrics m;
    m.num_workers = 1;
    m.workers.push_back(counters_.snapshot());
    m.global_queue_depth = inject_.len();
    for (std::size_t i = 0; i < kPollHistogramBuckets; ++i)
        m.poll_time_histogram[i] = counters_.poll_histogram[i].load(std::memory_order_relaxed);
    fill_common_metrics(m);
    return m;
}

}  // namespace weft::detail
