// mpsc_contention_bounded: 5 producer tasks each send 400,000 usizes into one bounded channel of
// capacity 1,000; the root task receives until the channel closes. ops = messages.
// mpsc_uncontended_unbounded: one producer task sends 5,000,000 usizes into an unbounded
// channel; the root task receives them. ops = messages.
#include <cstddef>
#include <stdexcept>

#include "harness.hpp"
#include "runtime/sync/mpsc.hpp"

namespace weft::bench {
namespace {

namespace mpsc = sync::mpsc;

constexpr std::uint64_t kProducers = 5;
constexpr std::uint64_t kPerProducer = 400'000;
constexpr std::size_t kBound = 1'000;
constexpr std::uint64_t kUncontended = 5'000'000;

// The anchor's black_box: a volatile read keeps the received value alive.
inline void consume(std::size_t v) {
    volatile std::size_t sink = v;
    (void)sink;
}

Task<void> producer(mpsc::Sender<std::size_t> tx, std::uint64_t n) {
    for (std::size_t i = 0; i < n; ++i) (co_await tx.send(i)).value();
}

Task<void> contention_root(std::uint64_t per_producer) {
    auto [tx, rx] = mpsc::channel<std::size_t>(kBound);
    for (std::uint64_t p = 0; p < kProducers; ++p) spawn(producer(tx, per_producer)).detach();
    { auto drop = std::move(tx); }
    std::uint64_t n = 0;
    while (auto v = co_await rx.recv()) {
        consume(*v);
        ++n;
    }
    if (n != kProducers * per_producer) throw std::logic_error("messages lost");
}

Task<void> unbounded_producer(mpsc::UnboundedSender<std::size_t> tx, std::uint64_t n) {
    for (std::size_t i = 0; i < n; ++i) tx.send(i).value();
    co_return;
}

Task<void> uncontended_root(std::uint64_t total) {
    auto [tx, rx] = mpsc::unbounded_channel<std::size_t>();
    spawn(unbounded_producer(std::move(tx), total)).detach();
    std::uint64_t n = 0;
    while (auto v = co_await rx.recv()) {
        consume(*v);
        ++n;
    }
    if (n != total) throw std::logic_error("messages lost");
}

Result mpsc_contention_bounded(Runtime& rt, const Options& opt) {
    const std::uint64_t per = opt.scaled(kPerProducer);
    double s = time_seconds([&] { rt.block_on(contention_root(per)); });
    return {kProducers * per, s, {}};
}

Result mpsc_uncontended_unbounded(Runtime& rt, const Options& opt) {
    const std::uint64_t total = opt.scaled(kUncontended);
    double s = time_seconds([&] { rt.block_on(uncontended_root(total)); });
    return {total, s, {}};
}

const Register contention("mpsc_contention_bounded", 60, mpsc_contention_bounded);
const Register uncontended("mpsc_uncontended_unbounded", 70, mpsc_uncontended_unbounded);

}  // namespace
}  // namespace weft::bench
