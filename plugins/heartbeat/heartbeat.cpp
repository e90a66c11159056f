// heartbeat: logs a line every `interval_ms` (default 1000) until the daemon shuts down.
//
// Config: {"interval_ms": 1000, "message": "alive", "notify": "tick"}
//   notify  optional: a named Notify to notify_one at each beat (notify-c listens to one)
//
// It waits on the shutdown token and the timer at once (weft::timeout around the token), so it
// stops within a poll of the shutdown, not at the next tick.
//
// Job task "report" (weftd.json `jobs`): logs how many beats it made so far.
#include <weft/plugin.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace {

class Heartbeat : public weft::Plugin {
   public:
    explicit Heartbeat(const weft::PluginContext& ctx)
        : Plugin(ctx),
          interval_(read_interval(config())),
          message_(config().value("message", "alive")) {
        if (const auto name = config().value("notify", ""); !name.empty())
            notify_ = weft::Notify(host(), name);
        register_job("report", [this]() -> weft::Task<> {
            log().info("report: ", beats_.load(std::memory_order_relaxed), " beats so far");
            co_return;
        });
    }

    // check-config checks jobs against this: a job naming another task is reported.
    static weft::Manifest manifest() { return weft::Manifest().tasks({"report"}).no_channels(); }

    static void validate(const weft::Json& config) {
        (void)read_interval(config);
        (void)config.value("message", "alive");
        (void)config.value("notify", "");
    }

    void start() override { spawn(beat()); }

   private:
    static std::chrono::milliseconds read_interval(const weft::Json& config) {
        const auto ms = config.value<std::int64_t>("interval_ms", 1000);
        if (ms < 1 || ms > 86'400'000) {
            throw weft::ConfigError("\"interval_ms\" must be between 1 and 86400000, got " +
                                    std::to_string(ms));
        }
        return std::chrono::milliseconds(ms);
    }

    weft::Task<> beat() {
        std::uint64_t beats = 0;
        while (true) {
            // true: the token fired before the interval passed.
            const bool shutting_down = co_await weft::timeout(interval_, shutdown().requested());
            if (shutting_down) break;
            log().info(message_, " #", ++beats);
            beats_.store(beats, std::memory_order_relaxed);
            if (notify_) notify_->notify_one();
        }
        log().info("stopping after ", beats, " heartbeats");
    }

    std::chrono::milliseconds interval_;
    std::string message_;
    std::optional<weft::Notify> notify_;
    std::atomic<std::uint64_t> beats_{0};  // read by the "report" job's runs
};

}  // namespace

WEFT_PLUGIN(Heartbeat, "heartbeat", "1.0.0")
