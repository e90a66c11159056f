// The registry's broadcast channel: weft::sync::broadcast::channel<Message>(capacity).
//
// Every RECV handle subscribes (it gets what is sent from then on). The channel keeps one Sender
// until shutdown begins, and a Receiver of its own that never reads: new handles subscribe
// through it, and it keeps send() from failing when no plugin listens (broadcast sends fail with
// no receiver); such a message is counted "unheard" instead, so the shutdown report still shows
// it. A RECV handle closed with messages it never read counts them as dropped.
#include <mutex>

#include "host/registry/channel_kinds.hpp"
#include "runtime/sync/broadcast.hpp"

namespace weft::host {
namespace {

using Tx = sync::broadcast::Sender<Message>;
using Rx = sync::broadcast::Receiver<Message>;
using RxBox = ReceiverBox<Rx>;

class BroadcastChannel final : public NamedChannel,
                               public std::enable_shared_from_this<BroadcastChannel> {
   public:
    BroadcastChannel(std::string name, std::uint32_t capacity, std::string origin, Tx tx, Rx rx)
        : NamedChannel(std::move(name), ChannelKind::broadcast, capacity, std::move(origin)),
          keepalive_(std::move(tx)),
          subscriber_(std::move(rx)) {}

    std::unique_ptr<Endpoint> open(std::uint32_t flags) override;
    void begin_shutdown() noexcept override {
        std::lock_guard lock(mutex_);
        keepalive_.reset();
    }
    void drain() noexcept override {}  // each receiving handle counts its own at close

   private:
    std::mutex mutex_;
    std::optional<Tx> keepalive_;
    Rx subscriber_;  // never reads
};

class BroadcastRecvOp final : public RecvOp {
   public:
    BroadcastRecvOp(std::shared_ptr<NamedChannel> channel, std::shared_ptr<RxBox> box)
        : channel_(std::move(channel)),
          box_(std::move(box)),
          claim_(box_->receiving),
          recv_(box_->rx.recv()) {}
    [[nodiscard]] bool claimed() const noexcept { return static_cast<bool>(claim_); }
    weft_status poll(Context& cx, Message& out, std::uint64_t& lagged) noexcept override {
        try {
            if (!recv_.poll(cx)) return WEFT_PENDING;
            auto r = recv_.await_resume();
            if (r) {
                out = std::move(*r);
                channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
                return WEFT_OK;
            }
            if (r.error().is_lagged()) {
                lagged = r.error().skipped;
                channel_->counters().lagged.fetch_add(lagged, std::memory_order_relaxed);
                return WEFT_ERR_LAGGED;
            }
            return WEFT_ERR_CLOSED;
        } catch (const std::bad_alloc&) {
            return WEFT_ERR_NO_MEMORY;  // copying the message out
        } catch (...) {
            return WEFT_ERR_INTERNAL;
        }
    }

   private:
    std::shared_ptr<NamedChannel> channel_;
    std::shared_ptr<RxBox> box_;
    ReceiveClaim claim_;
    Rx::Recv recv_;
};

class BroadcastEndpoint final : public Endpoint {
   public:
    BroadcastEndpoint(std::shared_ptr<NamedChannel> channel, std::optional<Tx> tx,
                      std::shared_ptr<RxBox> rx)
        : channel_(std::move(channel)), sender_(std::move(tx)), rx_(std::move(rx)) {}
    ~BroadcastEndpoint() override {
        sender_.retire();
        if (!rx_) return;
        // What this receiver never read is lost to it: count it.
        ReceiveClaim claim(rx_->receiving);
        if (!claim) return;
        auto& counters = channel_->counters();
        while (true) {
            auto r = rx_->rx.try_recv();
            if (r) {
                counters.dropped.fetch_add(1, std::memory_order_relaxed);
            } else if (r.error().is_lagged()) {
                counters.lagged.fetch_add(r.error().skipped, std::memory_order_relaxed);
            } else {
                break;
            }
        }
    }

    weft_status try_send(Message& m) override {
        auto use = sender_.acquire();
        if (!use) return WEFT_ERR_CLOSED;
        auto r = use.get()->send(std::move(m));
        if (!r) return WEFT_ERR_CLOSED;  // no receiver at all: cannot happen (the channel's own)
        auto& counters = channel_->counters();
        counters.accepted.fetch_add(1, std::memory_order_relaxed);
        if (*r <= 1) counters.unheard.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }
    std::unique_ptr<SendOp> start_send(Message) override { return nullptr; }  // never waits
    weft_status try_recv(Message& out, std::uint64_t& lagged) override {
        ReceiveClaim claim(rx_->receiving);
        if (!claim) return WEFT_ERR_BUSY;
        auto r = rx_->rx.try_recv();
        if (r) {
            out = std::move(*r);
            channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        }
        if (r.error().is_lagged()) {
            lagged = r.error().skipped;
            channel_->counters().lagged.fetch_add(lagged, std::memory_order_relaxed);
            return WEFT_ERR_LAGGED;
        }
        return r.error().is_empty() ? WEFT_ERR_EMPTY : WEFT_ERR_CLOSED;
    }
    std::unique_ptr<RecvOp> start_recv(weft_status* status) override {
        auto op = std::make_unique<BroadcastRecvOp>(channel_, rx_);
        if (!op->claimed()) {
            *status = WEFT_ERR_BUSY;
            return nullptr;
        }
        return op;
    }
    void retire() noexcept override { sender_.retire(); }

   private:
    std::shared_ptr<NamedChannel> channel_;
    SenderSlot<Tx> sender_;
    std::shared_ptr<RxBox> rx_;
};

std::unique_ptr<Endpoint> BroadcastChannel::open(std::uint32_t flags) {
    std::lock_guard lock(mutex_);
    std::optional<Tx> tx;
    if (flags & WEFT_CHANNEL_SEND) {
        if (!keepalive_) return nullptr;
        tx.emplace(*keepalive_);
    }
    std::shared_ptr<RxBox> rx;
    if (flags & WEFT_CHANNEL_RECV) rx = std::make_shared<RxBox>(subscriber_.resubscribe());
    return std::make_unique<BroadcastEndpoint>(shared_from_this(), std::move(tx), std::move(rx));
}

}  // namespace

std::shared_ptr<NamedChannel> make_broadcast_channel(std::string name, std::uint32_t capacity,
                                                     std::string origin) {
    auto [tx, rx] = sync::broadcast::channel<Message>(capacity);
    return std::make_shared<BroadcastChannel>(std::move(name), capacity, std::move(origin),
                                              std::move(tx), std::move(rx));
}

}  // namespace weft::host
