// The registry's mpsc channel: weft::sync::mpsc::channel<Message>(capacity).
//
// The channel keeps the Receiver: RECV handles share it, one receiving task at a time (the
// `receiving_` flag; a second gets WEFT_ERR_BUSY). It also keeps one Sender (`keepalive_`) until
// shutdown begins, so the channel never closes while weftd runs; each SEND handle holds a clone.
#include <mutex>

#include "host/registry/channel_kinds.hpp"
#include "runtime/sync/mpsc.hpp"

namespace weft::host {
namespace {

using Tx = sync::mpsc::Sender<Message>;
using Rx = sync::mpsc::Receiver<Message>;

class MpscChannel final : public NamedChannel, public std::enable_shared_from_this<MpscChannel> {
   public:
    MpscChannel(std::string name, std::uint32_t capacity, std::string origin, Tx tx, Rx rx)
        : NamedChannel(std::move(name), ChannelKind::mpsc, capacity, std::move(origin)),
          rx_(std::move(rx)),
          keepalive_(std::move(tx)) {}

    std::unique_ptr<Endpoint> open(std::uint32_t flags) override;

    void begin_shutdown() noexcept override {
        std::lock_guard lock(mutex_);
        keepalive_.reset();
    }
    void drain() noexcept override {
        ReceiveClaim claim(receiving_);
        if (!claim) return;  // a receive is still pending somewhere: nothing to count safely
        std::uint64_t n = 0;
        while (rx_.try_recv()) ++n;
        counters_.dropped.fetch_add(n, std::memory_order_relaxed);
    }

    // Receiver side, for endpoints.
    std::atomic<bool>& receiving() noexcept { return receiving_; }
    Rx& rx() noexcept { return rx_; }
    std::optional<Tx> clone_sender() {
        std::lock_guard lock(mutex_);
        if (!keepalive_) return std::nullopt;
        return Tx(*keepalive_);
    }

   private:
    Rx rx_;
    std::atomic<bool> receiving_{false};
    std::mutex mutex_;
    std::optional<Tx> keepalive_;
};

class MpscSendOp final : public SendOp {
   public:
    MpscSendOp(std::shared_ptr<MpscChannel> channel, Tx sender, Message m)
        : channel_(std::move(channel)),
          sender_(std::move(sender)),
          send_(sender_.send(std::move(m))) {}
    weft_status poll(Context& cx) noexcept override {
        if (!send_.poll(cx)) return WEFT_PENDING;
        if (!send_.await_resume()) return WEFT_ERR_CLOSED;
        channel_->counters().accepted.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }

   private:
    std::shared_ptr<MpscChannel> channel_;
    Tx sender_;  // its own clone: a pending send keeps the channel open (mpsc::Sender contract)
    Tx::Send send_;
};

class MpscRecvOp final : public RecvOp {
   public:
    explicit MpscRecvOp(std::shared_ptr<MpscChannel> channel)
        : channel_(std::move(channel)),
          claim_(channel_->receiving()),
          recv_(channel_->rx().recv()) {}
    [[nodiscard]] bool claimed() const noexcept { return static_cast<bool>(claim_); }
    weft_status poll(Context& cx, Message& out, std::uint64_t&) noexcept override {
        if (!recv_.poll(cx)) return WEFT_PENDING;
        std::optional<Message> m = recv_.await_resume();
        if (!m) return WEFT_ERR_CLOSED;
        out = std::move(*m);
        channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }

   private:
    std::shared_ptr<MpscChannel> channel_;
    ReceiveClaim claim_;
    sync::mpsc::Receiver<Message>::Recv recv_;
};

class MpscEndpoint final : public Endpoint {
   public:
    MpscEndpoint(std::shared_ptr<MpscChannel> channel, std::optional<Tx> tx)
        : channel_(std::move(channel)), sender_(std::move(tx)) {}

    weft_status try_send(Message& m) override {
        auto use = sender_.acquire();
        if (!use) return WEFT_ERR_CLOSED;
        auto r = use.get()->try_send(std::move(m));
        if (r) {
            channel_->counters().accepted.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        }
        m = std::move(r.error().value);  // the message comes back
        return r.error().is_full() ? WEFT_ERR_FULL : WEFT_ERR_CLOSED;
    }
    std::unique_ptr<SendOp> start_send(Message m) override {
        auto use = sender_.acquire();
        if (!use) return nullptr;
        return std::make_unique<MpscSendOp>(channel_, Tx(*use.get()), std::move(m));
    }
    weft_status try_recv(Message& out, std::uint64_t&) override {
        ReceiveClaim claim(channel_->receiving());
        if (!claim) return WEFT_ERR_BUSY;
        auto r = channel_->rx().try_recv();
        if (!r) return r.error().is_empty() ? WEFT_ERR_EMPTY : WEFT_ERR_CLOSED;
        out = std::move(*r);
        channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }
    std::unique_ptr<RecvOp> start_recv(weft_status* status) override {
        auto op = std::make_unique<MpscRecvOp>(channel_);
        if (!op->claimed()) {
            *status = WEFT_ERR_BUSY;
            return nullptr;
        }
        return op;
    }
    void retire() noexcept override { sender_.retire(); }

   private:
    std::shared_ptr<MpscChannel> channel_;
    SenderSlot<Tx> sender_;
};

std::unique_ptr<Endpoint> MpscChannel::open(std::uint32_t flags) {
    std::optional<Tx> tx;
    if (flags & WEFT_CHANNEL_SEND) {
        tx = clone_sender();
        if (!tx) return nullptr;
    }
    return std::make_unique<MpscEndpoint>(shared_from_this(), std::move(tx));
}

}  // namespace

std::shared_ptr<NamedChannel> make_mpsc_channel(std::string name, std::uint32_t capacity,
                                                std::string origin) {
    auto [tx, rx] = sync::mpsc::channel<Message>(capacity);
    return std::make_shared<MpscChannel>(std::move(name), capacity, std::move(origin),
                                         std::move(tx), std::move(rx));
}

}  // namespace weft::host
