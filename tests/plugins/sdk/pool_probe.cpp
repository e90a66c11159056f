// A plugin written with the C++ SDK that uses the pools section of the ABI (1.3) and logs what it
// sees, for pool_test.cpp: round trips on connections of the tcp pool "echo" (max_size 2) to the
// test's echo server, reuse, the exhausted error, a discarded connection, the C calls' misuse
// statuses, and the generic ResourcePool on the resource pools "counters" and "warm" (kept warm
// while every resource is in use: what is in use counts against max_size).
#include <weft/plugin.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

using namespace std::chrono_literals;

namespace {

weft::Task<int> make_counter() { co_return 7; }

class PoolProbe : public weft::Plugin {
   public:
    explicit PoolProbe(const weft::PluginContext& ctx) : Plugin(ctx) {}

    void start() override {
        echo_ = weft::Pool(host(), "echo");
        try {
            weft::Pool missing(host(), "nope");
        } catch (const weft::Error& e) {
            log().info("pool: missing gives ", weft_status_str(e.status()), ": ", e.what());
        }
        spawn(run());
    }

   private:
    weft::Task<std::string> round_trip(weft::PooledConn& conn, const std::string& msg) {
        co_await conn.write_all(msg);
        std::string back(msg.size(), '\0');
        co_await conn.read_exact(back.data(), back.size());
        co_return back;
    }

    weft::Task<> run() {
        // 1. a round trip, then the same connection again (reused, not reconnected)
        for (int i = 0; i < 3; ++i) {
            auto conn = co_await echo_.acquire();
            const std::string back = co_await round_trip(conn, "ping " + std::to_string(i));
            log().info("pool: echoed '", back, "'");
        }
        // 2. both connections held: a third acquire ends at acquire_timeout, saying why
        {
            auto a = co_await echo_.acquire();
            auto b = co_await echo_.acquire();
            const weft_pool_info info = echo_.info();
            log().info("pool: in use ", info.in_use, " of ", info.max_size);
            try {
                auto c = co_await echo_.acquire();
                log().info("pool: third acquire succeeded?");
            } catch (const weft::Error& e) {
                log().info("pool: third acquire ", weft_status_str(e.status()), ": ", e.what());
            }
            b.mark_broken();  // discarded: closed, never handed out again
        }
        // 3. the C calls refuse a stream the pool did not hand out, and a slot on a tcp pool
        log().info("pool: foreign release ",
                   weft_status_str(weft_pool_release(echo_.raw(), nullptr)));
        // 4. the generic pool: a resource created once, then reused
        weft::ResourcePool<int>::Manager counting;
        counting.create = make_counter;
        weft::ResourcePool<int> counters(host(), "counters", counting);
        for (int i = 0; i < 2; ++i) {
            auto c = co_await counters.acquire();
            log().info("pool: counter ", *c);
        }
        try {
            weft::ResourcePool<int> wrong(host(), "echo", counting);
        } catch (const weft::Error& e) {
            log().info("pool: wrong kind gives ", weft_status_str(e.status()));
        }
        // 5. keep_warm does not open resources beyond max_size while all of them are in use
        weft::ResourcePool<int>::Manager counted;
        counted.create = [this]() -> weft::Task<int> { co_return ++warm_created_; };
        warm_.emplace(host(), "warm", counted);
        spawn(warm_->keep_warm());
        {
            auto a = co_await warm_->acquire();
            auto b = co_await warm_->acquire();
            co_await weft::sleep(700ms);  // a few rounds of keep_warm
            log().info("pool: warm created ", warm_created_.load(), " with all in use");
        }
        co_await weft::sleep(700ms);
        log().info("pool: warm created ", warm_created_.load(), " after the release");
        log().info("pool: done");
    }

    weft::Pool echo_;
    std::atomic<int> warm_created_{0};  // keep_warm and acquire may create on two workers
    std::optional<weft::ResourcePool<int>> warm_;
};

}  // namespace

WEFT_PLUGIN(PoolProbe, "pool-probe", "1.0.0")
