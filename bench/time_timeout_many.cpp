// timeout_many: one task awaits timeout(1 s, ready(i)) 5,000,000 times in a row. The inner
// awaitable is ready at once, so no timer is ever filed.
// timeout_armed_many: one task awaits timeout(1 s, yield_now()) 500,000 times in a row. The inner
// awaitable is pending once, so each timeout files its timer and cancels it when the yield
// completes (a timer insert and a cancel per op, the anchor's like-for-like timer path).
#include <chrono>

#include "harness.hpp"
#include "runtime/task/yield_now.hpp"
#include "runtime/time/timeout.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTimeouts = 5'000'000;
constexpr std::uint64_t kArmedTimeouts = 500'000;

// Rust's std::future::ready: ready on the first poll with its value.
template <class T>
class Ready : public Pollable<Ready<T>> {
   public:
    explicit Ready(T v) noexcept : v_(v) {}
    bool poll(Context&) noexcept { return true; }
    T await_resume() noexcept { return v_; }

   private:
    T v_;
};

// An optimisation barrier, as the anchor's volatile read.
template <class T>
T black_box(T v) {
    volatile T x = v;
    return x;
}

Result timeout_many(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kTimeouts);
    double s = time_seconds([&] {
        rt.block_on([](std::uint64_t n) -> Task<void> {
            std::uint64_t acc = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                auto r = co_await time::timeout(std::chrono::seconds(1),
                                                Ready<std::uint64_t>(black_box(i)));
                acc += r.value();
            }
            black_box(acc);
        }(n));
    });
    return {n, s, {}};
}

Result timeout_armed_many(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kArmedTimeouts);
    double s = time_seconds([&] {
        rt.block_on([](std::uint64_t n) -> Task<void> {
            for (std::uint64_t i = 0; i < n; ++i) {
                (co_await time::timeout(std::chrono::seconds(1), yield_now())).value();
            }
        }(n));
    });
    return {n, s, {}};
}

const Register reg("timeout_many", 110, timeout_many);
const Register armed("timeout_armed_many", 115, timeout_armed_many);

}  // namespace
}  // namespace weft::bench
