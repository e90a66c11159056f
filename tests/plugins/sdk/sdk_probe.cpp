// A plugin written with the C++ SDK that exercises it and logs what it sees, for sdk_test.cpp.
// Config {"mode": M}:
//   "tasks"        spawn/join with values, a failing child rethrown at join, inline child tasks,
//                  yield_now, abort, the shutdown token
//   "start_throws" start() throws weft::Error: the hook fails with that status
//   "ctor_throws"  the constructor reads {"n": "x"} as an integer: init fails (ConfigError)
//   "task_throws"  a detached task throws: logged with the plugin's name, the plugin runs on
//   "named"        spawn_named: a task named "boomer" throws (the host's line names it), and a
//                  name with a newline is refused
#include <weft/plugin.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace {

weft::Task<int> add(int a, int b) { co_return a + b; }

weft::Task<int> depth(int n) {
    if (n == 0) co_return 0;
    co_return 1 + co_await depth(n - 1);
}

weft::Task<int> boom() {
    throw std::runtime_error("boom");
    co_return 0;
}

weft::Task<> wait_forever(weft::ShutdownToken token) { co_await token.requested(); }

class Probe : public weft::Plugin {
   public:
    explicit Probe(const weft::PluginContext& ctx)
        : Plugin(ctx), mode_(config().value("mode", "tasks")) {
        validate(config());
        if (mode_ == "ctor_throws") (void)config().value<int>("n", 0);
    }

    static void validate(const weft::Json& config) {
        const std::string mode = config.value("mode", "tasks");
        if (mode != "tasks" && mode != "start_throws" && mode != "ctor_throws" &&
            mode != "task_throws" && mode != "time" && mode != "named")
            throw weft::ConfigError("unknown mode \"" + mode + "\"");
    }

    void start() override {
        if (mode_ == "start_throws") throw weft::Error(WEFT_ERR_CLOSED, "no upstream");
        if (mode_ == "time") {
            spawn(time_and_blocking());
            return;
        }
        if (mode_ == "named") {
            spawn_named("boomer", detached_boom());
            try {
                spawn_named("two\nlines", survivor());
                log().error("probe: a name with a newline was accepted");
            } catch (const weft::Error& e) {
                log().info("probe: bad name refused: ", e.what());
            }
            spawn_named(std::string(WEFT_TASK_NAME_MAX, 'n'), survivor());
            return;
        }
        if (mode_ == "task_throws") {
            spawn(detached_boom());
            spawn(survivor());
            return;
        }
        spawn(run());
    }
    void stop() override { log().info("probe: stop"); }
    ~Probe() override { log().info("probe: destroyed"); }

   private:
    weft::Task<> run() {
        auto sum = weft::spawn(add(2, 3));
        log().info("probe: sum ", co_await sum);

        auto failing = weft::spawn(boom());
        try {
            (void)co_await failing;
            log().error("probe: boom did not throw");
        } catch (const std::runtime_error& e) {
            log().info("probe: caught ", e.what());
        }

        log().info("probe: depth ", co_await depth(200));

        for (int i = 0; i < 1000; ++i) co_await weft::yield_now();
        log().info("probe: yielded 1000 times");

        auto forever = weft::spawn(wait_forever(shutdown()));
        forever.abort();
        try {
            co_await forever;
            log().error("probe: the aborted task finished");
        } catch (const weft::Error& e) {
            log().info("probe: abort gave ", weft_status_str(e.status()));
        }

        co_await shutdown().requested();
        log().info("probe: saw shutdown");
    }

    weft::Task<> time_and_blocking() {
        using namespace std::chrono_literals;
        auto start = weft::Clock::now();
        co_await weft::sleep(20ms);
        const auto slept = weft::Clock::now() - start;
        log().info("probe: sleep(20ms) ", slept >= 20ms ? "ok" : "too short");

        start = weft::Clock::now();
        co_await weft::sleep_until(start + 10ms);
        log().info("probe: sleep_until ", weft::Clock::now() - start >= 10ms ? "ok" : "too short");

        const bool requested = co_await weft::timeout(10ms, shutdown().requested());
        log().info("probe: timeout ", requested ? "did not fire" : "fired");

        auto first = co_await weft::first_of(weft::sleep(std::chrono::hours(1)), weft::sleep(5ms));
        log().info("probe: first_of picked ", first.index());

        const int answer = co_await weft::spawn_blocking([] { return 42; });
        log().info("probe: blocking gave ", answer);
        try {
            co_await weft::spawn_blocking(
                []() -> int { throw std::runtime_error("disk on fire"); });
        } catch (const std::runtime_error& e) {
            log().info("probe: blocking threw ", e.what());
        }
        co_await shutdown().requested();
        log().info("probe: saw shutdown");
    }

    weft::Task<> detached_boom() {
        co_await weft::yield_now();
        throw std::logic_error("detached boom");
    }
    weft::Task<> survivor() {
        co_await shutdown().requested();
        log().info("probe: survivor saw shutdown");
    }

    std::string mode_;
};

}  // namespace

WEFT_PLUGIN(Probe, "sdk-probe", "0.1.0")
