// semaphore_contention: 100 tasks x 10,000 iterations of acquire() on a Semaphore(10), holding
// the permit across one yield_now() (which is what makes it contended), then releasing it.
// ops = acquire/release pairs.
#include <memory>
#include <stdexcept>

#include "harness.hpp"
#include "latch.hpp"
#include "runtime/sync/semaphore.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kTasks = 100;
constexpr std::uint64_t kPerTask = 10'000;
constexpr std::size_t kPermits = 10;

Task<void> worker(sync::Semaphore* sem, std::shared_ptr<Latch> latch, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
        auto permit = (co_await sem->acquire()).value();
        co_await yield_now();
    }
    latch->count_down();
}

Task<void> root(std::uint64_t per_task) {
    sync::Semaphore sem(kPermits);
    auto latch = std::make_shared<Latch>(kTasks);
    for (std::uint64_t i = 0; i < kTasks; ++i) spawn(worker(&sem, latch, per_task)).detach();
    co_await latch->wait();
    if (sem.available_permits() != kPermits) throw std::logic_error("permits leaked");
}

Result semaphore_contention(Runtime& rt, const Options& opt) {
    const std::uint64_t per_task = opt.scaled(kPerTask);
    double s = time_seconds([&] { rt.block_on(root(per_task)); });
    return {kTasks * per_task, s, {}};
}

const Register reg("semaphore_contention", 130, semaphore_contention);

}  // namespace
}  // namespace weft::bench
