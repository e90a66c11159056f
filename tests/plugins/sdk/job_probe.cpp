// A plugin written with the C++ SDK that registers job task functions, for jobs_test.cpp. Each
// logs what it does; the configured jobs choose which run.
//   count          logs "job_probe: count N" and returns
//   slow           sleeps "slow_ms" (default 60), logging how many slow runs overlap
//   throws         every odd run throws from the coroutine
//   start_throws   the function itself throws before making a task
//   wait_shutdown  waits for the shutdown token
//   a, b, c, d     log "job_probe: start X" when the host asks for the run's task
//   late           tries to register another task (too late: jobs are bound by then)
#include <weft/plugin.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

namespace {

weft::Task<> nothing() { co_return; }

class JobProbe : public weft::Plugin {
   public:
    explicit JobProbe(const weft::PluginContext& ctx)
        : Plugin(ctx), slow_(config().value("slow_ms", 60)) {
        register_job("count", [this]() -> weft::Task<> {
            log().info("job_probe: count ", ++count_);
            co_return;
        });
        try {
            register_job("count", [] { return nothing(); });
            log().error("job_probe: a duplicate name was accepted");
        } catch (const weft::Error& e) {
            log().info("job_probe: duplicate gave ", weft_status_str(e.status()));
        }
        register_job("slow", [this]() -> weft::Task<> { co_await slow(); });
        register_job("throws", [this]() -> weft::Task<> {
            if (++throws_ % 2 == 1) throw std::runtime_error("job boom");
            co_return;
        });
        register_job("start_throws",
                     []() -> weft::Task<> { throw std::runtime_error("no task today"); });
        register_job("wait_shutdown", [this]() -> weft::Task<> {
            log().info("job_probe: waiting for shutdown");
            co_await shutdown().requested();
            log().info("job_probe: job saw shutdown");
        });
        for (const char* name : {"a", "b", "c", "d"}) {
            register_job(name, [this, name] {
                log().info("job_probe: start ", name);
                return nothing();
            });
        }
        register_job("late", [this]() -> weft::Task<> {
            try {
                register_job("later", [] { return nothing(); });
                log().error("job_probe: late registration was accepted");
            } catch (const weft::Error& e) {
                log().info("job_probe: late registration gave ", weft_status_str(e.status()));
            }
            co_return;
        });
    }
    ~JobProbe() override { log().info("job_probe: destroyed; most slow runs at once ", most_); }

   private:
    weft::Task<> slow() {
        const int now = ++running_;
        for (int seen = most_.load(); now > seen && !most_.compare_exchange_weak(seen, now);) {
        }
        log().info("job_probe: slow begin, running ", now);
        co_await weft::sleep(std::chrono::milliseconds(slow_));
        --running_;
        log().info("job_probe: slow end");
    }

    int slow_;
    std::atomic<int> count_{0};
    std::atomic<int> throws_{0};
    std::atomic<int> running_{0};
    std::atomic<int> most_{0};
};

}  // namespace

WEFT_PLUGIN(JobProbe, "job_probe", "1.0.0")
