// broadcast_fanout: the root task sends 500,000 u64s on a broadcast channel of capacity 1,024;
// 8 receiver tasks each receive every value in order (checked; lagging is a failure). The sender
// is flow-controlled by one credit Semaphore per receiver (1,024 initial credits): it takes 256
// credits from each before each chunk of 256 sends; each receiver gives 256 back after every 256
// receives. ops = deliveries = messages x receivers.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "harness.hpp"
#include "runtime/sync/broadcast.hpp"
#include "runtime/sync/semaphore.hpp"

namespace weft::bench {
namespace {

namespace broadcast = sync::broadcast;

constexpr std::size_t kReceivers = 8;
constexpr std::size_t kCapacity = 1'024;
constexpr std::uint64_t kMessages = 500'000;
constexpr std::uint64_t kChunk = 256;

Task<std::uint64_t> receiver(broadcast::Receiver<std::uint64_t> rx_,
                             std::shared_ptr<sync::Semaphore> credits) {
    auto rx = std::move(rx_);
    std::uint64_t expect = 0;
    for (;;) {
        auto r = co_await rx.recv();
        if (!r) {
            if (r.error().is_closed()) break;
            throw std::logic_error("receiver lagged");
        }
        if (*r != expect) throw std::logic_error("broadcast out of order");
        ++expect;
        if (expect % kChunk == 0) credits->add_permits(kChunk);
    }
    co_return expect;
}

Task<void> root(std::uint64_t messages) {
    auto [tx, rx0] = broadcast::channel<std::uint64_t>(kCapacity);
    std::vector<std::shared_ptr<sync::Semaphore>> credits;
    std::vector<JoinHandle<std::uint64_t>> handles;
    for (std::size_t i = 0; i < kReceivers; ++i) {
        auto sem = std::make_shared<sync::Semaphore>(kCapacity);
        credits.push_back(sem);
        handles.push_back(spawn(receiver(tx.subscribe(), sem)));
    }
    { auto unused = std::move(rx0); }  // as the anchor's `let (tx, _) = channel(..)`
    std::uint64_t next = 0;
    while (next < messages) {
        std::uint64_t n = std::min(kChunk, messages - next);
        for (auto& sem : credits)
            (co_await sem->acquire_many(static_cast<std::uint32_t>(n))).value().forget();
        for (std::uint64_t i = 0; i < n; ++i) tx.send(next++).value();
    }
    { auto done = std::move(tx); }
    for (auto& h : handles) {
        std::uint64_t got = co_await h;
        if (got != messages) throw std::logic_error("deliveries lost");
    }
}

Result broadcast_fanout(Runtime& rt, const Options& opt) {
    const std::uint64_t messages = opt.scaled(kMessages);
    double s = time_seconds([&] { rt.block_on(root(messages)); });
    return {messages * kReceivers, s, {}};
}

const Register reg("broadcast_fanout", 90, broadcast_fanout);

}  // namespace
}  // namespace weft::bench
