// notify_one_many: two tasks ping-pong through two Notifys: A notify_one(ping) then awaits
// pong.notified(); B awaits ping.notified() then notify_one(pong). ops = round trips.
#include "harness.hpp"
#include "runtime/sync/notify.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t kRoundTrips = 1'000'000;

Task<void> partner(sync::Notify* ping, sync::Notify* pong, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
        co_await ping->notified();
        pong->notify_one();
    }
}

Task<void> root(std::uint64_t n) {
    sync::Notify ping;
    sync::Notify pong;
    auto other = spawn(partner(&ping, &pong, n));
    for (std::uint64_t i = 0; i < n; ++i) {
        ping.notify_one();
        co_await pong.notified();
    }
    co_await other;
}

Result notify_one_many(Runtime& rt, const Options& opt) {
    const std::uint64_t n = opt.scaled(kRoundTrips);
    double s = time_seconds([&] { rt.block_on(root(n)); });
    return {n, s, {}};
}

const Register reg("notify_one_many", 80, notify_one_many);

}  // namespace
}  // namespace weft::bench
