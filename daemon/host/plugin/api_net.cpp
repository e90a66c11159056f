// Host function table: the network section (plugin.h 6.12, ABI 1.2).
//
// Each handle wraps the runtime's own socket type (runtime/net/): a weft_listener a TcpListener
// or UnixListener, a weft_stream a TcpStream or UnixStream, a weft_udp a UdpSocket. Accept, read,
// write, send_to and recv_from are stateless between calls (the socket's readiness registration
// holds the one wait per direction), so each call builds the runtime's awaitable on the stack and
// polls it once: a call that finds the socket not ready did no syscall work and leaves nothing
// behind, which is what makes them cancel-safe without an operation slot. Connect and resolve
// carry state (a half-open socket, a lookup on the blocking pool): theirs lives in the slot.
//
// An IoError becomes a status (status_of) and its message ("connect 127.0.0.1:1: connection
// refused") the thread's weft_last_error.
#include <algorithm>
#include <cstring>
#include <string>
#include <variant>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/plugin/stream_handles.hpp"
#include "runtime/net/net.hpp"
#include "runtime/task/inline_task.hpp"

namespace weft::host {
namespace {

weft_status status_of(const net::IoError& e) noexcept {
    switch (e.code()) {
        case ECONNREFUSED:
            return WEFT_ERR_CONNECTION_REFUSED;
        case ECONNRESET:
        case EPIPE:
        case ECONNABORTED:
            return WEFT_ERR_CONNECTION_RESET;
        case EADDRINUSE:
            return WEFT_ERR_ADDRESS_IN_USE;
        case ETIMEDOUT:
            return WEFT_ERR_TIMED_OUT;
        case net::kRuntimeShutdown:
            return WEFT_ERR_SHUTDOWN;
        case net::kNotResolved:
            return WEFT_ERR_NOT_FOUND;
        default:
            return WEFT_ERR_IO;
    }
}

weft_status fail(const net::IoError& e) {
    set_last_error(e.message());
    return status_of(e);
}

// Copies `text` into buf[0..size), truncated, NUL-terminated.
weft_status write_text(char* buf, std::size_t size, const std::string& text, const char* what) {
    if (!buf || size == 0) return invalid(std::string(what) + ": NULL or empty buffer");
    const std::size_t n = std::min(size - 1, text.size());
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
    return WEFT_OK;
}

std::optional<time::Duration> timeout_of(std::uint64_t ns) noexcept {
    if (ns == 0) return std::nullopt;
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<time::Duration::rep>::max());
    return time::Duration(static_cast<time::Duration::rep>(ns > max ? max : ns));
}

class ListenerHandle final : public weft_listener, public OwnedHandle {
   public:
    template <class L>
    ListenerHandle(PluginInstance& plugin, L listener) noexcept
        : weft_listener{&host_api()}, plugin_(plugin), listener_(std::move(listener)) {}
    [[nodiscard]] const char* handle_kind() const noexcept override { return "listener"; }
    [[nodiscard]] static ListenerHandle& of(weft_listener* l) noexcept {
        return static_cast<ListenerHandle&>(*l);
    }
    [[nodiscard]] PluginInstance& plugin() const noexcept { return plugin_; }
    std::variant<net::TcpListener, net::UnixListener>& listener() noexcept { return listener_; }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::variant<net::TcpListener, net::UnixListener> listener_;
};

class StreamHandle final : public weft_stream, public OwnedHandle {
   public:
    template <class S>
    StreamHandle(PluginInstance& plugin, S stream) noexcept
        : weft_stream{&host_api()}, plugin_(plugin), stream_(std::move(stream)) {}
    [[nodiscard]] const char* handle_kind() const noexcept override { return "stream"; }
    [[nodiscard]] static StreamHandle& of(weft_stream* s) noexcept {
        return static_cast<StreamHandle&>(*s);
    }
    std::variant<net::TcpStream, net::UnixStream>& stream() noexcept { return stream_; }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::variant<net::TcpStream, net::UnixStream> stream_;
};

class UdpHandle final : public weft_udp, public OwnedHandle {
   public:
    UdpHandle(PluginInstance& plugin, net::UdpSocket socket) noexcept
        : weft_udp{&host_api()}, plugin_(plugin), socket_(std::move(socket)) {}
    [[nodiscard]] const char* handle_kind() const noexcept override { return "udp socket"; }
    [[nodiscard]] static UdpHandle& of(weft_udp* u) noexcept { return static_cast<UdpHandle&>(*u); }
    net::UdpSocket& socket() noexcept { return socket_; }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    net::UdpSocket socket_;
};

// Hands a new stream to the plugin (registered for closing after destroy).
template <class S>
weft_stream* adopt_stream(PluginInstance& plugin, S stream) {
    auto handle = std::make_unique<StreamHandle>(plugin, std::move(stream));
    plugin.handles().add(handle.get());
    return handle.release();
}

// Connects to a numeric address, or resolves a name and tries each address in turn.
Task<net::IoResult<net::TcpStream>> connect_any(std::string address,
                                                std::optional<time::Duration> timeout) {
    if (auto numeric = net::SocketAddr::parse(address)) {
        auto once = co_await net::TcpStream::connect(*numeric, timeout);
        co_return std::move(once);
    }
    auto addrs = co_await net::lookup_host(address);
    if (!addrs) co_return sync::err(std::move(addrs).error());
    std::optional<net::IoError> last;
    for (const net::SocketAddr& a : *addrs) {
        auto s = co_await net::TcpStream::connect(a, timeout);
        if (s) co_return std::move(s);
        last = s.error();
    }
    co_return sync::err(std::move(*last));
}

class TcpConnectOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::tcp_connect;
    TcpConnectOp(std::string address, std::optional<time::Duration> timeout)
        : OpBase(kKind), task_(connect_any(std::move(address), timeout)) {}
    weft_status poll(Context& cx, PluginInstance& plugin, weft_stream** out) {
        if (!task_.poll(cx)) return WEFT_PENDING;
        auto s = task_.await_resume();
        if (!s) return fail(s.error());
        *out = adopt_stream(plugin, std::move(*s));
        return WEFT_OK;
    }

   private:
    weft::task::InlineTask<net::IoResult<net::TcpStream>> task_;
};

class UnixConnectOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::unix_connect;
    UnixConnectOp(std::string_view path, std::optional<time::Duration> timeout)
        : OpBase(kKind), connect_(net::UnixStream::connect(path, timeout)) {}
    weft_status poll(Context& cx, PluginInstance& plugin, weft_stream** out) {
        if (!connect_.poll(cx)) return WEFT_PENDING;
        auto s = connect_.await_resume();
        if (!s) return fail(s.error());
        *out = adopt_stream(plugin, std::move(*s));
        return WEFT_OK;
    }

   private:
    net::UnixStream::Connect connect_;
};

class ResolveOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::resolve;
    explicit ResolveOp(std::string host_port)
        : OpBase(kKind), task_(net::lookup_host(std::move(host_port))) {}
    weft_status poll(Context& cx, char* out, std::size_t out_size, std::size_t* count) {
        if (!task_.poll(cx)) return WEFT_PENDING;
        auto addrs = task_.await_resume();
        if (!addrs) return fail(addrs.error());
        std::string text;
        for (const net::SocketAddr& a : *addrs) {
            const std::string next = a.to_string();
            const std::size_t separator = text.empty() ? 0 : 1;
            if (text.size() + separator + next.size() + 1 > out_size) break;
            if (separator != 0) text += '\n';
            text += next;
        }
        *count = addrs->size();
        return write_text(out, out_size, text, "weft_resolve");
    }

   private:
    weft::task::InlineTask<net::IoResult<std::vector<net::SocketAddr>>> task_;
};

// Polls the connect-like operation in *slot, made by make() when the slot is empty.
template <class Op, class Make, class... Args>
weft_status poll_slot(Context& cx, weft_op** slot, const char* what, Make&& make, Args&&... args) {
    Op* op = nullptr;
    if (*slot == nullptr) {
        auto owned = make();
        op = owned.get();
        *slot = owned.release();
    } else if ((op = op_cast<Op>(*slot)) == nullptr) {
        return invalid(std::string(what) + ": the operation slot holds another operation");
    }
    const weft_status s = op->poll(cx, std::forward<Args>(args)...);
    if (s != WEFT_PENDING) finish_op(slot);
    return s;
}

std::optional<net::SocketAddr> parse_address(const char* address) {
    if (!address) return std::nullopt;
    return net::SocketAddr::parse(address);
}

// ---- listeners ---------------------------------------------------------------------------------

weft_status tcp_listen(weft_host* h, const char* address, int backlog, weft_listener** out) {
    if (out) *out = nullptr;
    if (!h || !out) return invalid("weft_tcp_listen: NULL host or out");
    const auto addr = parse_address(address);
    if (!addr)
        return invalid(std::string("weft_tcp_listen: \"") + (address ? address : "(null)") +
                       "\" is not a numeric address with a port (\"127.0.0.1:8080\", "
                       "\"[::1]:8080\")");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        auto l = net::TcpListener::bind(*addr, backlog > 0 ? backlog : 1024, &plugin.runtime());
        if (!l) return fail(l.error());
        auto handle = std::make_unique<ListenerHandle>(plugin, std::move(*l));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

weft_status unix_listen(weft_host* h, const char* path, int backlog, weft_listener** out) {
    if (out) *out = nullptr;
    if (!h || !out || !path || !*path) return invalid("weft_unix_listen: NULL host, path or out");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        auto l = net::UnixListener::bind(path, backlog > 0 ? backlog : 1024, &plugin.runtime());
        if (!l) return fail(l.error());
        auto handle = std::make_unique<ListenerHandle>(plugin, std::move(*l));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

weft_status listener_accept(weft_context* c, weft_listener* l, weft_stream** out) {
    if (!c || !l || !out) return invalid("weft_tcp_accept: NULL argument");
    auto& h = ListenerHandle::of(l);
    return guarded([&] {
        Context& cx = context_of(c).cx;
        return std::visit(
            [&](auto& listener) -> weft_status {
                auto accept = listener.accept();
                if (!accept.poll(cx)) return WEFT_PENDING;
                auto conn = accept.await_resume();
                if (!conn) return fail(conn.error());
                *out = adopt_stream(h.plugin(), std::move(conn->stream));
                return WEFT_OK;
            },
            h.listener());
    });
}

weft_status listener_local_addr(weft_listener* l, char* buf, size_t size) {
    if (!l) return invalid("weft_listener_local_addr: NULL listener");
    return guarded([&] {
        const std::string text = std::visit([](auto& x) { return x.local_addr().to_string(); },
                                            ListenerHandle::of(l).listener());
        return write_text(buf, size, text, "weft_listener_local_addr");
    });
}

void listener_close(weft_listener* l) {
    if (l) ListenerHandle::of(l).close();
}

// ---- connecting --------------------------------------------------------------------------------

weft_status tcp_connect(weft_context* c, weft_host* h, const char* address,
                        std::uint64_t timeout_ns, weft_stream** out, weft_op** op) {
    if (!c || !h || !out || !op) return invalid("weft_tcp_connect: NULL argument");
    if (*op == nullptr) *out = nullptr;
    if (*op == nullptr && (!address || !std::strchr(address, ':')))
        return invalid(std::string("weft_tcp_connect: \"") + (address ? address : "(null)") +
                       "\" is not host:port");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        return poll_slot<TcpConnectOp>(
            context_of(c).cx, op, "weft_tcp_connect",
            [&] { return std::make_unique<TcpConnectOp>(address, timeout_of(timeout_ns)); }, plugin,
            out);
    });
}

weft_status unix_connect(weft_context* c, weft_host* h, const char* path, std::uint64_t timeout_ns,
                         weft_stream** out, weft_op** op) {
    if (!c || !h || !out || !op) return invalid("weft_unix_connect: NULL argument");
    if (*op == nullptr) *out = nullptr;
    if (*op == nullptr && (!path || !*path)) return invalid("weft_unix_connect: empty path");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        return poll_slot<UnixConnectOp>(
            context_of(c).cx, op, "weft_unix_connect",
            [&] { return std::make_unique<UnixConnectOp>(path, timeout_of(timeout_ns)); }, plugin,
            out);
    });
}

// ---- streams -----------------------------------------------------------------------------------

weft_status stream_read(weft_context* c, weft_stream* st, void* buf, size_t len, size_t* n) {
    if (!c || !st || !n || (!buf && len)) return invalid("weft_stream_read: NULL argument");
    return guarded([&] {
        Context& cx = context_of(c).cx;
        return std::visit(
            [&](auto& s) -> weft_status {
                auto r = s.read(buf, len);
                if (!r.poll(cx)) return WEFT_PENDING;
                auto got = r.await_resume();
                if (!got) return fail(got.error());
                *n = *got;
                return WEFT_OK;
            },
            StreamHandle::of(st).stream());
    });
}

weft_status stream_write(weft_context* c, weft_stream* st, const void* data, size_t len,
                         size_t* n) {
    if (!c || !st || !n || (!data && len)) return invalid("weft_stream_write: NULL argument");
    return guarded([&] {
        Context& cx = context_of(c).cx;
        return std::visit(
            [&](auto& s) -> weft_status {
                auto w = s.write(data, len);
                if (!w.poll(cx)) return WEFT_PENDING;
                auto put = w.await_resume();
                if (!put) return fail(put.error());
                *n = *put;
                return WEFT_OK;
            },
            StreamHandle::of(st).stream());
    });
}

weft_status stream_shutdown(weft_stream* st) {
    if (!st) return invalid("weft_stream_shutdown: NULL stream");
    return guarded([&] {
        auto r = std::visit([](auto& s) { return s.shutdown(); }, StreamHandle::of(st).stream());
        return r ? WEFT_OK : fail(r.error());
    });
}

weft_status stream_set_nodelay(weft_stream* st, int on) {
    if (!st) return invalid("weft_stream_set_nodelay: NULL stream");
    return guarded([&] {
        auto* tcp = std::get_if<net::TcpStream>(&StreamHandle::of(st).stream());
        if (!tcp) {
            set_last_error("weft_stream_set_nodelay: not a TCP stream");
            return WEFT_ERR_UNSUPPORTED;
        }
        auto r = tcp->set_nodelay(on != 0);
        return r ? WEFT_OK : fail(r.error());
    });
}

weft_status stream_peer_addr(weft_stream* st, char* buf, size_t size) {
    if (!st) return invalid("weft_stream_peer_addr: NULL stream");
    return guarded([&] {
        const std::string text = std::visit([](auto& s) { return s.peer_addr().to_string(); },
                                            StreamHandle::of(st).stream());
        return write_text(buf, size, text, "weft_stream_peer_addr");
    });
}

void stream_close(weft_stream* st) {
    if (st) StreamHandle::of(st).close();
}

// ---- UDP ---------------------------------------------------------------------------------------

weft_status udp_bind(weft_host* h, const char* address, weft_udp** out) {
    if (out) *out = nullptr;
    if (!h || !out) return invalid("weft_udp_bind: NULL host or out");
    const auto addr = parse_address(address);
    if (!addr) return invalid("weft_udp_bind: not a numeric address with a port");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        auto s = net::UdpSocket::bind(*addr, &plugin.runtime());
        if (!s) return fail(s.error());
        auto handle = std::make_unique<UdpHandle>(plugin, std::move(*s));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

weft_status udp_connect(weft_udp* u, const char* address) {
    if (!u) return invalid("weft_udp_connect: NULL socket");
    const auto addr = parse_address(address);
    if (!addr) return invalid("weft_udp_connect: not a numeric address with a port");
    return guarded([&] {
        auto r = UdpHandle::of(u).socket().connect(*addr);
        return r ? WEFT_OK : fail(r.error());
    });
}

weft_status udp_send_to(weft_context* c, weft_udp* u, const void* data, size_t len,
                        const char* address, size_t* n) {
    if (!c || !u || !n || (!data && len)) return invalid("weft_udp_send_to: NULL argument");
    std::optional<net::SocketAddr> to;
    if (address && !(to = parse_address(address)))
        return invalid("weft_udp_send_to: not a numeric address with a port");
    return guarded([&] {
        auto& s = UdpHandle::of(u).socket();
        auto send = to ? s.send_to(data, len, *to) : s.send(data, len);
        if (!send.poll(context_of(c).cx)) return WEFT_PENDING;
        auto r = send.await_resume();
        if (!r) return fail(r.error());
        *n = *r;
        return WEFT_OK;
    });
}

weft_status udp_recv_from(weft_context* c, weft_udp* u, void* buf, size_t len, size_t* n,
                          char* from, size_t from_size) {
    if (!c || !u || !n || (!buf && len)) return invalid("weft_udp_recv_from: NULL argument");
    return guarded([&] {
        auto recv = UdpHandle::of(u).socket().recv_from(buf, len);
        if (!recv.poll(context_of(c).cx)) return WEFT_PENDING;
        auto r = recv.await_resume();
        if (!r) return fail(r.error());
        *n = r->first;
        if (from && from_size) return write_text(from, from_size, r->second.to_string(), "");
        return WEFT_OK;
    });
}

weft_status udp_local_addr(weft_udp* u, char* buf, size_t size) {
    if (!u) return invalid("weft_udp_local_addr: NULL socket");
    return guarded([&] {
        return write_text(buf, size, UdpHandle::of(u).socket().local_addr().to_string(),
                          "weft_udp_local_addr");
    });
}

void udp_close(weft_udp* u) {
    if (u) UdpHandle::of(u).close();
}

// ---- names -------------------------------------------------------------------------------------

weft_status resolve(weft_context* c, weft_host* h, const char* host_port, char* out,
                    size_t out_size, size_t* count, weft_op** op) {
    if (!c || !h || !out || !out_size || !count || !op)
        return invalid("weft_resolve: NULL argument or empty buffer");
    if (*op == nullptr && !host_port) return invalid("weft_resolve: NULL host_port");
    return guarded([&] {
        return poll_slot<ResolveOp>(
            context_of(c).cx, op, "weft_resolve",
            [&] { return std::make_unique<ResolveOp>(host_port); }, out, out_size, count);
    });
}

}  // namespace

weft_stream* adopt_tcp_stream(PluginInstance& plugin, net::TcpStream stream) {
    return adopt_stream(plugin, std::move(stream));
}

net::TcpStream reclaim_tcp_stream(weft_stream* handle) noexcept {
    auto& h = StreamHandle::of(handle);
    net::TcpStream out;
    if (auto* tcp = std::get_if<net::TcpStream>(&h.stream())) out = std::move(*tcp);
    h.close();
    return out;
}

void fill_net_api(weft_host_api& api) noexcept {
    api.tcp_listen = tcp_listen;
    api.unix_listen = unix_listen;
    api.listener_accept = listener_accept;
    api.listener_local_addr = listener_local_addr;
    api.listener_close = listener_close;
    api.tcp_connect = tcp_connect;
    api.unix_connect = unix_connect;
    api.stream_read = stream_read;
    api.stream_write = stream_write;
    api.stream_shutdown = stream_shutdown;
    api.stream_set_nodelay = stream_set_nodelay;
    api.stream_peer_addr = stream_peer_addr;
    api.stream_close = stream_close;
    api.udp_bind = udp_bind;
    api.udp_connect = udp_connect;
    api.udp_send_to = udp_send_to;
    api.udp_recv_from = udp_recv_from;
    api.udp_local_addr = udp_local_addr;
    api.udp_close = udp_close;
    api.resolve = resolve;
}

}  // namespace weft::host
