// Host function table: named channels (plugin.h 6.7).
//
// A weft_channel is a ChannelHandle: the plugin's Endpoint of a registry channel. Sends and
// receives try the channel first without allocating (the common case of a channel with room or
// with a message); only when that would wait does an operation object go into the plugin's slot,
// wrapping the runtime primitive's own awaitable. Both paths spend one unit of coop budget.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/registry/registry.hpp"
#include "runtime/coop/budget.hpp"

namespace weft::host {
namespace {

class ChannelHandle final : public weft_channel, public OwnedHandle {
   public:
    ChannelHandle(PluginInstance& plugin, std::shared_ptr<NamedChannel> channel,
                  std::unique_ptr<Endpoint> endpoint, std::uint32_t flags) noexcept
        : weft_channel{&host_api()},
          plugin_(plugin),
          channel_(std::move(channel)),
          endpoint_(std::move(endpoint)),
          flags_(flags),
          refuses_without_receiver_(plugin.descriptor().abi_minor >= 2) {
        if (can(WEFT_CHANNEL_RECV)) channel_->receiver_opened();
    }
    ~ChannelHandle() override {
        if (can(WEFT_CHANNEL_RECV)) channel_->receiver_closed();
    }
    ChannelHandle(const ChannelHandle&) = delete;
    ChannelHandle& operator=(const ChannelHandle&) = delete;
    [[nodiscard]] static ChannelHandle& of(weft_channel* c) noexcept {
        return static_cast<ChannelHandle&>(*c);
    }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "channel"; }
    void retire() noexcept override { endpoint_->retire(); }

    [[nodiscard]] PluginInstance& plugin() const noexcept { return plugin_; }
    [[nodiscard]] NamedChannel& channel() const noexcept { return *channel_; }
    [[nodiscard]] const std::shared_ptr<NamedChannel>& shared_channel() const noexcept {
        return channel_;
    }
    // True (and counted) when a send must be refused with WEFT_ERR_NO_RECEIVER. A plugin built
    // for ABI 1.1 or older does not know that status: its sends are counted but accepted, as
    // they always were.
    [[nodiscard]] bool refuse_send() const noexcept {
        if (!channel_->receiver_gone()) return false;
        channel_->counters().no_receiver.fetch_add(1, std::memory_order_relaxed);
        return refuses_without_receiver_;
    }
    [[nodiscard]] Endpoint& endpoint() const noexcept { return *endpoint_; }
    [[nodiscard]] bool can(std::uint32_t flag) const noexcept { return (flags_ & flag) != 0; }
    [[nodiscard]] std::uint32_t flags() const noexcept { return flags_; }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<NamedChannel> channel_;
    std::unique_ptr<Endpoint> endpoint_;
    std::uint32_t flags_;
    bool refuses_without_receiver_;
};

// A pending send that also learns when the channel's last receiver leaves: it wraps the kind's
// own SendOp and a Notified of the channel's receiver_left(), re-armed after each wake.
class ReceiverAwareSend final : public SendOp {
   public:
    ReceiverAwareSend(const ChannelHandle& handle, std::unique_ptr<SendOp> inner) noexcept
        : handle_(handle), channel_(handle.shared_channel()), inner_(std::move(inner)) {}
    weft_status poll(Context& cx) noexcept override {
        if (!left_) arm();
        if (handle_.refuse_send()) return WEFT_ERR_NO_RECEIVER;
        const weft_status s = inner_->poll(cx);
        if (s != WEFT_PENDING) return s;
        while (left_->poll_unbudgeted(cx)) {
            arm();
            if (handle_.refuse_send()) return WEFT_ERR_NO_RECEIVER;
        }
        return WEFT_PENDING;
    }

   private:
    // Registered before the check that follows it, so a receiver leaving in between is seen.
    void arm() noexcept {
        left_.emplace(channel_->receiver_left().notified());
        static_cast<void>(left_->enable());
    }
    const ChannelHandle& handle_;  // the plugin cancels its operations before closing the handle
    std::shared_ptr<NamedChannel> channel_;
    std::unique_ptr<SendOp> inner_;
    std::optional<sync::Notified> left_;
};

weft_status no_receiver(const ChannelHandle& h) {
    set_last_error("channel '" + h.channel().name() +
                   "': every receiver closed its handle; the message was not accepted");
    return WEFT_ERR_NO_RECEIVER;
}

bool message_fits(const weft_message* out) noexcept {
    return out && out->size >= offsetof(weft_message, release_data) + sizeof(out->release_data) &&
           (out->buffer != nullptr || out->buffer_size == 0);
}

// May throw std::bad_alloc (inside guarded()): the message is then lost to the plugin, which
// gets WEFT_ERR_NO_MEMORY, and counted dropped.
weft_status deliver(ChannelHandle& h, Message& m, weft_message* out) {
    try {
        m.hand_to(*out, &h.plugin().messages_held);
        h.plugin().stats().record_receive();
    } catch (...) {
        auto& counters = h.channel().counters();
        counters.delivered.fetch_sub(1, std::memory_order_relaxed);
        counters.dropped.fetch_add(1, std::memory_order_relaxed);
        throw;
    }
    return WEFT_OK;
}

weft_status channel_open(weft_host* host, const char* name, weft_channel_kind kind,
                         uint32_t capacity, uint32_t flags, weft_channel** out) {
    if (out) *out = nullptr;
    if (!host || !out) return invalid("weft_channel_open: NULL host or out");
    if (!name || !*name) return invalid("weft_channel_open: the name is NULL or empty");
    if (flags == 0 || (flags & ~(WEFT_CHANNEL_SEND | WEFT_CHANNEL_RECV)) != 0)
        return invalid(
            "weft_channel_open: flags must be WEFT_CHANNEL_SEND and/or "
            "WEFT_CHANNEL_RECV");
    clear_last_error();
    return guarded([&] {
        auto& plugin = PluginInstance::of(host);
        auto opened =
            plugin.registry().channel(name, kind, capacity, "plugin '" + plugin.name() + "'");
        if (!opened.ok()) {
            if (opened.error.status == WEFT_ERR_MISMATCH)
                plugin.log().error("{}", opened.error.message);
            set_last_error(std::move(opened.error.message));
            return opened.error.status;
        }
        auto endpoint = opened.object->open(flags);
        if (!endpoint) {
            set_last_error("channel '" + std::string(name) +
                           "': weftd is shutting down; no new senders");
            return WEFT_ERR_SHUTDOWN;
        }
        auto handle = std::make_unique<ChannelHandle>(plugin, std::move(opened.object),
                                                      std::move(endpoint), flags);
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

void channel_close(weft_channel* c) {
    if (c) ChannelHandle::of(c).close();
}

weft_status channel_query(weft_channel* c, weft_channel_info* out) {
    if (!c || !out || out->size < offsetof(weft_channel_info, flags) + sizeof(out->flags))
        return invalid("weft_channel_query: NULL argument or out->size not set");
    auto& h = ChannelHandle::of(c);
    auto& counters = h.channel().counters();
    out->kind = to_abi(h.channel().kind());
    out->capacity = h.channel().capacity();
    out->flags = h.flags();
    if (out->size >= offsetof(weft_channel_info, queued) + sizeof(out->queued)) {
        const auto accepted = counters.accepted.load(std::memory_order_relaxed);
        const auto gone = counters.delivered.load(std::memory_order_relaxed) +
                          counters.dropped.load(std::memory_order_relaxed);
        out->queued = accepted > gone ? accepted - gone : 0;
    }
    return WEFT_OK;
}

weft_status channel_send(weft_context* c, weft_channel* ch, const void* data, size_t len,
                         weft_op** op) {
    if (!c || !ch || !op) return invalid("weft_channel_send: NULL argument");
    auto& h = ChannelHandle::of(ch);
    return guarded([&] {
        Context& cx = context_of(c).cx;
        if (*op == nullptr) {
            if (!h.can(WEFT_CHANNEL_SEND))
                return invalid(
                    "weft_channel_send: the handle was not opened with "
                    "WEFT_CHANNEL_SEND");
            if (!data && len) return invalid("weft_channel_send: data is NULL");
            if (!coop::poll_proceed(cx)) return WEFT_PENDING;
            if (h.refuse_send()) return no_receiver(h);
            Message m = Message::copy_of(data, len);
            const weft_status s = h.endpoint().try_send(m);
            if (s == WEFT_OK) h.plugin().stats().record_send();
            if (s != WEFT_ERR_FULL) return s;
            coop::refund();  // the operation's own poll spends it
            auto pending = h.endpoint().start_send(std::move(m));
            if (!pending) return WEFT_ERR_CLOSED;
            *op = std::make_unique<ReceiverAwareSend>(h, std::move(pending)).release();
        }
        auto* pending = op_cast<SendOp>(*op);
        if (!pending)
            return invalid("weft_channel_send: the operation slot holds another operation");
        const weft_status s = pending->poll(cx);
        if (s != WEFT_PENDING) finish_op(op);
        if (s == WEFT_OK) h.plugin().stats().record_send();
        if (s == WEFT_ERR_NO_RECEIVER) return no_receiver(h);
        return s;
    });
}

weft_status channel_try_send(weft_channel* ch, const void* data, size_t len) {
    if (!ch) return invalid("weft_channel_try_send: NULL channel");
    auto& h = ChannelHandle::of(ch);
    if (!h.can(WEFT_CHANNEL_SEND))
        return invalid("weft_channel_try_send: the handle was not opened with WEFT_CHANNEL_SEND");
    if (!data && len) return invalid("weft_channel_try_send: data is NULL");
    return guarded([&] {
        if (h.refuse_send()) return no_receiver(h);
        Message m = Message::copy_of(data, len);
        const weft_status s = h.endpoint().try_send(m);
        if (s == WEFT_OK) h.plugin().stats().record_send();
        return s;
    });
}

weft_status channel_recv(weft_context* c, weft_channel* ch, weft_message* out, weft_op** op) {
    if (!c || !ch || !op) return invalid("weft_channel_recv: NULL argument");
    if (!message_fits(out))
        return invalid(
            "weft_channel_recv: out is NULL or out->size is not set "
            "(WEFT_MESSAGE_INIT)");
    auto& h = ChannelHandle::of(ch);
    return guarded([&] {
        Context& cx = context_of(c).cx;
        Message m;
        std::uint64_t lagged = 0;
        if (*op == nullptr) {
            if (!h.can(WEFT_CHANNEL_RECV))
                return invalid(
                    "weft_channel_recv: the handle was not opened with "
                    "WEFT_CHANNEL_RECV");
            if (!coop::poll_proceed(cx)) return WEFT_PENDING;
            weft_status s = h.endpoint().try_recv(m, lagged);
            if (s == WEFT_OK) return deliver(h, m, out);
            if (s == WEFT_ERR_LAGGED) out->lagged = lagged;
            if (s != WEFT_ERR_EMPTY) return s;
            coop::refund();
            auto pending = h.endpoint().start_recv(&s);
            if (!pending) return s;
            *op = pending.release();
        }
        auto* r = op_cast<RecvOp>(*op);
        if (!r) return invalid("weft_channel_recv: the operation slot holds another operation");
        const weft_status s = r->poll(cx, m, lagged);
        if (s == WEFT_PENDING) return s;
        finish_op(op);
        if (s == WEFT_OK) return deliver(h, m, out);
        if (s == WEFT_ERR_LAGGED) out->lagged = lagged;
        return s;
    });
}

weft_status channel_try_recv(weft_channel* ch, weft_message* out) {
    if (!ch) return invalid("weft_channel_try_recv: NULL channel");
    if (!message_fits(out))
        return invalid("weft_channel_try_recv: out is NULL or out->size is not set");
    auto& h = ChannelHandle::of(ch);
    if (!h.can(WEFT_CHANNEL_RECV))
        return invalid("weft_channel_try_recv: the handle was not opened with WEFT_CHANNEL_RECV");
    return guarded([&] {
        Message m;
        std::uint64_t lagged = 0;
        const weft_status s = h.endpoint().try_recv(m, lagged);
        if (s == WEFT_OK) return deliver(h, m, out);
        if (s == WEFT_ERR_LAGGED) out->lagged = lagged;
        return s;
    });
}

}  // namespace

void fill_channel_api(weft_host_api& api) noexcept {
    api.channel_open = channel_open;
    api.channel_close = channel_close;
    api.channel_query = channel_query;
    api.channel_send = channel_send;
    api.channel_try_send = channel_try_send;
    api.channel_recv = channel_recv;
    api.channel_try_recv = channel_try_recv;
}

}  // namespace weft::host
