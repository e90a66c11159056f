// The registry's watch channel: weft::sync::watch::channel<Message>.
//
// A watch has one Sender, kept here; SEND handles replace the value through it (under a mutex:
// sends are rare and the runtime's Sender is one-thread-at-a-time). It starts with no value (an
// empty message marked seen), so receivers wait for the first send. Every RECV handle copies the
// channel's own first Receiver, so a handle opened after a send still sees the latest value.
// During shutdown the Sender is dropped once no SEND handle is left: receivers then read what
// they have not seen, then get WEFT_ERR_CLOSED.
#include <mutex>

#include "host/registry/channel_kinds.hpp"
#include "runtime/sync/watch.hpp"

namespace weft::host {
namespace {

using Tx = sync::watch::Sender<Message>;
using Rx = sync::watch::Receiver<Message>;
using RxBox = ReceiverBox<Rx>;

class WatchChannel final : public NamedChannel, public std::enable_shared_from_this<WatchChannel> {
   public:
    WatchChannel(std::string name, std::string origin, Tx tx, Rx rx)
        : NamedChannel(std::move(name), ChannelKind::watch, 1, std::move(origin)),
          sender_(std::move(tx)),
          initial_(std::move(rx)) {}

    std::unique_ptr<Endpoint> open(std::uint32_t flags) override;
    void begin_shutdown() noexcept override {
        std::lock_guard lock(mutex_);
        shutting_down_ = true;
        if (send_handles_ == 0) sender_.reset();
    }
    void drain() noexcept override {}  // a watch keeps the latest value by design

    weft_status send(Message& m) {
        std::lock_guard lock(mutex_);
        if (!sender_) return WEFT_ERR_CLOSED;
        (void)sender_->send_replace(std::move(m));
        counters_.accepted.fetch_add(1, std::memory_order_relaxed);
        return WEFT_OK;
    }
    void release_sender() noexcept {
        std::lock_guard lock(mutex_);
        if (--send_handles_ == 0 && shutting_down_) sender_.reset();
    }

   private:
    std::mutex mutex_;
    std::optional<Tx> sender_;
    std::size_t send_handles_ = 0;
    bool shutting_down_ = false;
    Rx initial_;  // never reads: copies start from its version (the empty initial value)
};

// The latest value, marked seen by `rx`.
Message take_latest(Rx& rx) { return Message(*rx.borrow_and_update()); }

class WatchRecvOp final : public RecvOp {
   public:
    WatchRecvOp(std::shared_ptr<NamedChannel> channel, std::shared_ptr<RxBox> box)
        : channel_(std::move(channel)),
          box_(std::move(box)),
          claim_(box_->receiving),
          changed_(box_->rx.changed()) {}
    [[nodiscard]] bool claimed() const noexcept { return static_cast<bool>(claim_); }
    weft_status poll(Context& cx, Message& out, std::uint64_t&) noexcept override {
        try {
            if (!changed_.poll(cx)) return WEFT_PENDING;
            if (!changed_.await_resume()) return WEFT_ERR_CLOSED;
            out = take_latest(box_->rx);
            channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
            return WEFT_OK;
        } catch (const std::bad_alloc&) {
            return WEFT_ERR_NO_MEMORY;
        } catch (...) {
            return WEFT_ERR_INTERNAL;
        }
    }

   private:
    std::shared_ptr<NamedChannel> channel_;
    std::shared_ptr<RxBox> box_;
    ReceiveClaim claim_;
    Rx::Changed changed_;
};

class WatchEndpoint final : public Endpoint {
   public:
    WatchEndpoint(std::shared_ptr<WatchChannel> channel, bool can_send, std::shared_ptr<RxBox> rx)
        : channel_(std::move(channel)), can_send_(can_send), rx_(std::move(rx)) {}
    ~WatchEndpoint() override { retire(); }

    weft_status try_send(Message& m) override {
        if (!can_send_ || retired_.load(std::memory_order_acquire)) return WEFT_ERR_CLOSED;
        return channel_->send(m);
    }
    std::unique_ptr<SendOp> start_send(Message) override { return nullptr; }  // never waits
    weft_status try_recv(Message& out, std::uint64_t&) override {
        ReceiveClaim claim(rx_->receiving);
        if (!claim) return WEFT_ERR_BUSY;
        auto changed = rx_->rx.has_changed();
        if (changed && !*changed) return WEFT_ERR_EMPTY;
        {
            auto ref = rx_->rx.borrow_and_update();
            if (ref.has_changed()) {
                out = Message(*ref);
                channel_->counters().delivered.fetch_add(1, std::memory_order_relaxed);
                return WEFT_OK;
            }
        }
        return changed ? WEFT_ERR_EMPTY : WEFT_ERR_CLOSED;
    }
    std::unique_ptr<RecvOp> start_recv(weft_status* status) override {
        auto op = std::make_unique<WatchRecvOp>(channel_, rx_);
        if (!op->claimed()) {
            *status = WEFT_ERR_BUSY;
            return nullptr;
        }
        return op;
    }
    void retire() noexcept override {
        if (can_send_ && !retired_.exchange(true, std::memory_order_acq_rel))
            channel_->release_sender();
    }

   private:
    std::shared_ptr<WatchChannel> channel_;
    bool can_send_;
    std::atomic<bool> retired_{false};
    std::shared_ptr<RxBox> rx_;
};

std::unique_ptr<Endpoint> WatchChannel::open(std::uint32_t flags) {
    std::lock_guard lock(mutex_);
    const bool send = (flags & WEFT_CHANNEL_SEND) != 0;
    if (send) {
        if (!sender_) return nullptr;
        ++send_handles_;
    }
    std::shared_ptr<RxBox> rx;
    if (flags & WEFT_CHANNEL_RECV) rx = std::make_shared<RxBox>(Rx(initial_));
    return std::make_unique<WatchEndpoint>(shared_from_this(), send, std::move(rx));
}

}  // namespace

std::shared_ptr<NamedChannel> make_watch_channel(std::string name, std::string origin) {
    auto [tx, rx] = sync::watch::channel<Message>(Message());
    return std::make_shared<WatchChannel>(std::move(name), std::move(origin), std::move(tx),
                                          std::move(rx));
}

}  // namespace weft::host
