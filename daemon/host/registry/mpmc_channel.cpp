// The registry's MPMC channel: weft::sync::mpmc::channel<Message>(capacity).
//
// As the mpsc channel, it keeps one Sender until shutdown begins (so it never closes while weftd
// runs) and one Receiver of its own, never used to receive: it keeps messages buffered while no
// plugin receives (as an mpsc channel does) and lets finish_shutdown count what was left. Each
// RECV handle has its own Receiver; each message goes to exactly one of them.
#include <mutex>

#include "host/registry/channel_kinds.hpp"
#include "runtime/sync/mpmc.hpp"

namespace weft::host {
namespace {

using Tx = sync::mpmc::Sender<Message>;
using Rx = sync::mpmc::Receiver<Message>;
using RxBox = ReceiverBox<Rx>;

class MpmcChannel final : public NamedChannel, public std::enable_shared_from_this<MpmcChannel> {
   public:
    MpmcChannel(std::string name, std::uint32_t capacity, std::string origin, Tx tx, Rx rx)
        : NamedChannel(std::move(name), ChannelKind::mpmc, capacity, std::move(origin)),
          keepalive_(std::move(tx)),
          rx_(std::move(rx)) {}

    std::unique_ptr<Endpoint> open(std::uint32_t flags) override;
    void begin_shutdown() noexcept override {
        std::lock_guard lock(mutex_);
        keepalive_.reset();
    }
    void drain() noexcept override {
        std::lock_guard lock(mutex_);
        std::uint64_t n = 0;
        while (rx_.try_recv()) ++n;
        counters_.dropped.fetch_add(n, std::memory_order_relaxed);
    }
    std::optional<Tx> clone_sender() {
        std::lock_guard lock(mutex_);
        if (!keepalive_) return std::nullopt;
        return Tx(*keepalive_);
    }
    Rx clone_receiver() {
        std::lock_guard lock(mutex_);
        return Rx(rx_);
    }

   private:
    std::mutex mutex_;
    std::optional<Tx> keepalive_;
    Rx rx_;
};

class MpmcSendOp final : public SendOp {
   public:
    MpmcSendOp(std::shared_ptr<MpmcChannel> channel, Tx sender, Message m)
        : channel_(std::move(channel)),
          sender_(std::move(sender)),
          send_(sender_.send(std::move(m))) {}
    weft_status poll(Context& cx) noexcept override {
        try {
            if (!send_.poll(cx)) return WEFT_PENDING;
        } catch (...) {
            return WEFT_ERR_INTERNAL;
        }
        if (!send_.await_resume()) return WEFT_ERR_CLOSED;
        channel_->counters().accepted.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }

   private:
    std::shared_ptr<MpmcChannel> channel_;
    Tx sender_;
    Tx::Send send_;
};

class MpmcRecvOp final : public RecvOp {
   public:
    MpmcRecvOp(std::shared_ptr<MpmcChannel> channel, std::shared_ptr<RxBox> box)
        : channel_(std::move(channel)),
          box_(std::move(box)),
          claim_(box_->receiving),
          recv_(box_->rx.recv()) {}
    [[nodiscard]] bool claimed() const noexcept { return static_cast<bool>(claim_); }
    weft_status poll(Context& cx, Message& out, std::uint64_t&) noexcept override {
        try {
            if (!recv_.poll(cx)) return WEFT_PENDING;
        } catch (...) {
            return WEFT_ERR_INTERNAL;
        }
        std::optional<Message> m = recv_.await_resume();
        if (!m) return WEFT_ERR_CLOSED;
        out = std::move(*m);
        channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }

   private:
    std::shared_ptr<MpmcChannel> channel_;
    std::shared_ptr<RxBox> box_;
    ReceiveClaim claim_;
    Rx::Recv recv_;
};

class MpmcEndpoint final : public Endpoint {
   public:
    MpmcEndpoint(std::shared_ptr<MpmcChannel> channel, std::optional<Tx> tx,
                 std::shared_ptr<RxBox> rx)
        : channel_(std::move(channel)), sender_(std::move(tx)), rx_(std::move(rx)) {}

    weft_status try_send(Message& m) override {
        auto use = sender_.acquire();
        if (!use) return WEFT_ERR_CLOSED;
        auto r = use.get()->try_send(std::move(m));
        if (r) {
            channel_->counters().accepted.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        }
        m = std::move(r.error().value);
        return r.error().is_full() ? WEFT_ERR_FULL : WEFT_ERR_CLOSED;
    }
    std::unique_ptr<SendOp> start_send(Message m) override {
        auto use = sender_.acquire();
        if (!use) return nullptr;
        return std::make_unique<MpmcSendOp>(channel_, Tx(*use.get()), std::move(m));
    }
    weft_status try_recv(Message& out, std::uint64_t&) override {
        ReceiveClaim claim(rx_->receiving);
        if (!claim) return WEFT_ERR_BUSY;
        auto r = rx_->rx.try_recv();
        if (!r) return r.error().is_empty() ? WEFT_ERR_EMPTY : WEFT_ERR_CLOSED;
        out = std::move(*r);
        channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }
    std::unique_ptr<RecvOp> start_recv(weft_status* status) override {
        auto op = std::make_unique<MpmcRecvOp>(channel_, rx_);
        if (!op->claimed()) {
            *status = WEFT_ERR_BUSY;
            return nullptr;
        }
        return op;
    }
    void retire() noexcept override { sender_.retire(); }

   private:
    std::shared_ptr<MpmcChannel> channel_;
    SenderSlot<Tx> sender_;
    std::shared_ptr<RxBox> rx_;
};

std::unique_ptr<Endpoint> MpmcChannel::open(std::uint32_t flags) {
    std::optional<Tx> tx;
    if (flags & WEFT_CHANNEL_SEND) {
        tx = clone_sender();
        if (!tx) return nullptr;
    }
    std::shared_ptr<RxBox> rx;
    if (flags & WEFT_CHANNEL_RECV) rx = std::make_shared<RxBox>(clone_receiver());
    return std::make_unique<MpmcEndpoint>(shared_from_this(), std::move(tx), std::move(rx));
}

}  // namespace

std::shared_ptr<NamedChannel> make_mpmc_channel(std::string name, std::uint32_t capacity,
                                                std::string origin) {
    auto [tx, rx] = sync::mpmc::channel<Message>(capacity);
    return std::make_shared<MpmcChannel>(std::move(name), capacity, std::move(origin),
                                         std::move(tx), std::move(rx));
}

}  // namespace weft::host
