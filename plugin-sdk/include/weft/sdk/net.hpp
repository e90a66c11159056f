// Network I/O (ABI 1.2, plugin.h 6.12): TCP and Unix-domain streams and listeners, UDP sockets,
// name resolution, on the host runtime's event loop.
//
//   auto listener = weft::Listener::tcp(host(), "127.0.0.1:7000");
//   while (true) {
//       weft::Stream conn = co_await listener.accept();
//       spawn(serve(std::move(conn)));
//   }
//
//   weft::Task<> serve(weft::Stream s) {
//       char buf[4096];
//       while (std::size_t n = co_await s.read(buf, sizeof buf))   // 0: the peer closed
//           co_await s.write_all(buf, n);
//   }
//
//   weft::Stream db = co_await weft::Stream::connect("localhost:6379", 2s);
//
// Failures throw weft::Error, whose status() says which (WEFT_ERR_CONNECTION_REFUSED,
// WEFT_ERR_CONNECTION_RESET, WEFT_ERR_TIMED_OUT, WEFT_ERR_SHUTDOWN, WEFT_ERR_IO, ...) and whose
// what() says where ("connect 127.0.0.1:6379: connection refused (connection refused)").
// The end of a stream is not a failure: read() gives 0.
//
// read, write, accept, send_to and recv_from are cancel-safe (dropped by weft::timeout or
// weft::first_of, they took and sent nothing); write_all and read_exact are not (a prefix may have
// been written or read). At most one task reads and one task writes a stream at a time. Every
// awaitable refers to its socket object: keep it alive and unmoved while one is pending. Sockets
// close when their object is destroyed; the host closes what a plugin leaves open after destroy.
// On a host older than ABI 1.2 every call throws Error(WEFT_ERR_UNSUPPORTED).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

// The last error's text, taken at once (the next host call on this thread replaces it).
inline std::string take_last_error(const weft_host_api* api) noexcept {
    try {
        const char* e = api && api->last_error ? api->last_error() : nullptr;
        return e ? std::string(e) : std::string();
    } catch (...) {
        return {};
    }
}

inline void throw_net(weft_status status, const char* what, const std::string& detail) {
    throw Error(status, detail.empty() ? std::string(what) : detail);
}

inline void check_net(weft_status status, const char* what, const weft_host_api* api) {
    if (status != WEFT_OK) throw_net(status, what, take_last_error(api));
}

inline std::uint64_t to_ns(std::chrono::nanoseconds d) noexcept {
    return d.count() <= 0 ? 0 : static_cast<std::uint64_t>(d.count());
}

// A buffer big enough for any address the host writes (an IPv6 address with port, a path).
using AddrBuf = char[128];

}  // namespace detail

// A connected TCP or Unix-domain stream. Move-only; closes the connection when destroyed.
class Stream {
   public:
    Stream() noexcept = default;
    explicit Stream(weft_stream* s) noexcept : s_(s) {}
    Stream(Stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Stream& operator=(Stream&& o) noexcept {
        if (this != &o) {
            close();
            s_ = std::exchange(o.s_, nullptr);
        }
        return *this;
    }
    ~Stream() { close(); }

    class [[nodiscard]] Read : public Awaitable<Read> {
       public:
        Read(weft_stream* s, void* buf, std::size_t len) noexcept : s_(s), buf_(buf), len_(len) {}
        weft_status poll(weft_context* cx) noexcept {
            const weft_status st = weft_stream_read(cx, s_, buf_, len_, &n_);
            if (st < 0) error_ = detail::take_last_error(WEFT__API(s_));
            return st;
        }
        // The bytes read; 0 at the end of the stream.
        std::size_t await_resume() const {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "read", error_);
            return n_;
        }

       private:
        weft_stream* s_;
        void* buf_;
        std::size_t len_;
        std::size_t n_ = 0;
        std::string error_;
    };
    class [[nodiscard]] Write : public Awaitable<Write> {
       public:
        Write(weft_stream* s, const void* data, std::size_t len) noexcept
            : s_(s), data_(data), len_(len) {}
        weft_status poll(weft_context* cx) noexcept {
            const weft_status st = weft_stream_write(cx, s_, data_, len_, &n_);
            if (st < 0) error_ = detail::take_last_error(WEFT__API(s_));
            return st;
        }
        // The bytes the connection took (at least 1 unless len was 0).
        std::size_t await_resume() const {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "write", error_);
            return n_;
        }

       private:
        weft_stream* s_;
        const void* data_;
        std::size_t len_;
        std::size_t n_ = 0;
        std::string error_;
    };
    // Writes all of data, or throws. Not cancel-safe (a prefix may have been written).
    class [[nodiscard]] WriteAll : public Awaitable<WriteAll> {
       public:
        WriteAll(weft_stream* s, const void* data, std::size_t len) noexcept
            : s_(s), data_(static_cast<const char*>(data)), len_(len) {}
        weft_status poll(weft_context* cx) noexcept {
            while (done_ < len_) {
                std::size_t n = 0;
                const weft_status st = weft_stream_write(cx, s_, data_ + done_, len_ - done_, &n);
                if (st == WEFT_PENDING) return st;
                if (st != WEFT_OK) {
                    error_ = detail::take_last_error(WEFT__API(s_));
                    return st;
                }
                done_ += n;
            }
            return WEFT_OK;
        }
        void await_resume() const {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "write_all", error_);
        }

       private:
        weft_stream* s_;
        const char* data_;
        std::size_t len_;
        std::size_t done_ = 0;
        std::string error_;
    };
    // Fills all of buf, or throws (WEFT_ERR_IO "unexpected end of stream" at an early end).
    // Not cancel-safe (bytes read before it was dropped are lost to the next read).
    class [[nodiscard]] ReadExact : public Awaitable<ReadExact> {
       public:
        ReadExact(weft_stream* s, void* buf, std::size_t len) noexcept
            : s_(s), buf_(static_cast<char*>(buf)), len_(len) {}
        weft_status poll(weft_context* cx) noexcept {
            while (done_ < len_) {
                std::size_t n = 0;
                const weft_status st = weft_stream_read(cx, s_, buf_ + done_, len_ - done_, &n);
                if (st == WEFT_PENDING) return st;
                if (st != WEFT_OK) {
                    error_ = detail::take_last_error(WEFT__API(s_));
                    return st;
                }
                if (n == 0) {
                    error_ = "read_exact: unexpected end of stream";
                    return WEFT_ERR_IO;
                }
                done_ += n;
            }
            return WEFT_OK;
        }
        void await_resume() const {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "read_exact", error_);
        }

       private:
        weft_stream* s_;
        char* buf_;
        std::size_t len_;
        std::size_t done_ = 0;
        std::string error_;
    };

    [[nodiscard]] Read read(void* buf, std::size_t len) noexcept { return {s_, buf, len}; }
    [[nodiscard]] Write write(const void* data, std::size_t len) noexcept {
        return {s_, data, len};
    }
    [[nodiscard]] WriteAll write_all(const void* data, std::size_t len) noexcept {
        return {s_, data, len};
    }
    [[nodiscard]] WriteAll write_all(const std::string& text) noexcept {
        return {s_, text.data(), text.size()};
    }
    [[nodiscard]] ReadExact read_exact(void* buf, std::size_t len) noexcept {
        return {s_, buf, len};
    }

    // The peer reads the end of the stream; this side may still read.
    void shutdown() { detail::check_net(weft_stream_shutdown(s_), "shutdown", WEFT__API(s_)); }
    void set_nodelay(bool on) {
        detail::check_net(weft_stream_set_nodelay(s_, on ? 1 : 0), "set_nodelay", WEFT__API(s_));
    }
    [[nodiscard]] std::string peer_addr() const {
        detail::AddrBuf buf;
        detail::check_net(weft_stream_peer_addr(s_, buf, sizeof buf), "peer_addr", WEFT__API(s_));
        return buf;
    }
    [[nodiscard]] bool valid() const noexcept { return s_ != nullptr; }
    [[nodiscard]] weft_stream* raw() const noexcept { return s_; }
    void close() noexcept {
        if (s_) weft_stream_close(std::exchange(s_, nullptr));
    }

    class [[nodiscard]] Connect : public Awaitable<Connect> {
       public:
        Connect(std::string target, std::chrono::nanoseconds timeout, bool unix_domain)
            : target_(std::move(target)), timeout_(timeout), unix_(unix_domain) {}
        Connect(Connect&& o) noexcept
            : Awaitable<Connect>(o),
              target_(std::move(o.target_)),
              timeout_(o.timeout_),
              unix_(o.unix_),
              out_(std::exchange(o.out_, nullptr)),
              op_(std::exchange(o.op_, nullptr)) {}
        Connect& operator=(Connect&&) = delete;
        ~Connect() {
            weft_op_cancel(&op_);
            if (out_) weft_stream_close(out_);
        }
        weft_status poll(weft_context* cx) noexcept {
            weft_host* host =
                detail::t_current.root ? detail::t_current.root->host().raw() : nullptr;
            const weft_status st = unix_ ? weft_unix_connect(cx, host, target_.c_str(),
                                                             detail::to_ns(timeout_), &out_, &op_)
                                         : weft_tcp_connect(cx, host, target_.c_str(),
                                                            detail::to_ns(timeout_), &out_, &op_);
            if (st < 0) error_ = detail::take_last_error(host ? WEFT__API(host) : nullptr);
            return st;
        }
        Stream await_resume() {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "connect", error_);
            return Stream(std::exchange(out_, nullptr));
        }

       private:
        std::string target_;
        std::chrono::nanoseconds timeout_;
        bool unix_;
        weft_stream* out_ = nullptr;
        weft_op* op_ = nullptr;
        std::string error_;
    };
    // Connects to "ip:port" or "host:port" (resolved by the host), within `timeout` (zero: no
    // limit). Inside a plugin task.
    template <class Rep = std::int64_t, class Period = std::nano>
    [[nodiscard]] static Connect connect(std::string address,
                                         std::chrono::duration<Rep, Period> timeout = {}) {
        return Connect(std::move(address),
                       std::chrono::duration_cast<std::chrono::nanoseconds>(timeout), false);
    }
    // Connects to the Unix-domain socket at `path`.
    template <class Rep = std::int64_t, class Period = std::nano>
    [[nodiscard]] static Connect connect_unix(std::string path,
                                              std::chrono::duration<Rep, Period> timeout = {}) {
        return Connect(std::move(path),
                       std::chrono::duration_cast<std::chrono::nanoseconds>(timeout), true);
    }

   private:
    weft_stream* s_ = nullptr;
};

// A listening TCP or Unix-domain socket. Move-only; closes when destroyed.
class Listener {
   public:
    Listener() noexcept = default;
    explicit Listener(weft_listener* l) noexcept : l_(l) {}
    Listener(Listener&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
    Listener& operator=(Listener&& o) noexcept {
        if (this != &o) {
            close();
            l_ = std::exchange(o.l_, nullptr);
        }
        return *this;
    }
    ~Listener() { close(); }

    // Listens on "ip:port" ("127.0.0.1:0": any free port, see local_addr()). Throws Error.
    [[nodiscard]] static Listener tcp(const Host& host, const std::string& address,
                                      int backlog = 0) {
        weft_listener* l = nullptr;
        detail::check_net(weft_tcp_listen(host.raw(), address.c_str(), backlog, &l), "listen",
                          host.api());
        return Listener(l);
    }
    // Listens on the Unix-domain socket `path` (which must not exist).
    [[nodiscard]] static Listener unix_socket(const Host& host, const std::string& path,
                                              int backlog = 0) {
        weft_listener* l = nullptr;
        detail::check_net(weft_unix_listen(host.raw(), path.c_str(), backlog, &l), "listen",
                          host.api());
        return Listener(l);
    }

    class [[nodiscard]] Accept : public Awaitable<Accept> {
       public:
        explicit Accept(weft_listener* l) noexcept : l_(l) {}
        Accept(Accept&& o) noexcept
            : Awaitable<Accept>(o), l_(o.l_), out_(std::exchange(o.out_, nullptr)) {}
        Accept& operator=(Accept&&) = delete;
        ~Accept() {
            if (out_) weft_stream_close(out_);
        }
        weft_status poll(weft_context* cx) noexcept {
            const weft_status st = weft_tcp_accept(cx, l_, &out_);
            if (st < 0) error_ = detail::take_last_error(WEFT__API(l_));
            return st;
        }
        Stream await_resume() {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "accept", error_);
            return Stream(std::exchange(out_, nullptr));
        }

       private:
        weft_listener* l_;
        weft_stream* out_ = nullptr;
        std::string error_;
    };
    [[nodiscard]] Accept accept() noexcept { return Accept(l_); }

    [[nodiscard]] std::string local_addr() const {
        detail::AddrBuf buf;
        detail::check_net(weft_listener_local_addr(l_, buf, sizeof buf), "local_addr",
                          WEFT__API(l_));
        return buf;
    }
    [[nodiscard]] bool valid() const noexcept { return l_ != nullptr; }
    [[nodiscard]] weft_listener* raw() const noexcept { return l_; }
    void close() noexcept {
        if (l_) weft_listener_close(std::exchange(l_, nullptr));
    }

   private:
    weft_listener* l_ = nullptr;
};

// One received datagram: its full length (more than the buffer: it was truncated) and sender.
struct Datagram {
    std::size_t len = 0;
    std::string from;
};

// A UDP socket. Move-only; closes when destroyed.
class UdpSocket {
   public:
    UdpSocket() noexcept = default;
    explicit UdpSocket(weft_udp* u) noexcept : u_(u) {}
    UdpSocket(UdpSocket&& o) noexcept : u_(std::exchange(o.u_, nullptr)) {}
    UdpSocket& operator=(UdpSocket&& o) noexcept {
        if (this != &o) {
            close();
            u_ = std::exchange(o.u_, nullptr);
        }
        return *this;
    }
    ~UdpSocket() { close(); }

    [[nodiscard]] static UdpSocket bind(const Host& host, const std::string& address) {
        weft_udp* u = nullptr;
        detail::check_net(weft_udp_bind(host.raw(), address.c_str(), &u), "bind", host.api());
        return UdpSocket(u);
    }
    void connect(const std::string& address) {
        detail::check_net(weft_udp_connect(u_, address.c_str()), "connect", WEFT__API(u_));
    }

    class [[nodiscard]] SendTo : public Awaitable<SendTo> {
       public:
        SendTo(weft_udp* u, const void* data, std::size_t len, std::string to)
            : u_(u), data_(data), len_(len), to_(std::move(to)) {}
        weft_status poll(weft_context* cx) noexcept {
            const weft_status st =
                weft_udp_send_to(cx, u_, data_, len_, to_.empty() ? nullptr : to_.c_str(), &n_);
            if (st < 0) error_ = detail::take_last_error(WEFT__API(u_));
            return st;
        }
        std::size_t await_resume() const {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "send_to", error_);
            return n_;
        }

       private:
        weft_udp* u_;
        const void* data_;
        std::size_t len_;
        std::string to_;
        std::size_t n_ = 0;
        std::string error_;
    };
    class [[nodiscard]] RecvFrom : public Awaitable<RecvFrom> {
       public:
        RecvFrom(weft_udp* u, void* buf, std::size_t len) noexcept : u_(u), buf_(buf), len_(len) {}
        weft_status poll(weft_context* cx) noexcept {
            const weft_status st =
                weft_udp_recv_from(cx, u_, buf_, len_, &got_.len, from_, sizeof from_);
            if (st < 0) error_ = detail::take_last_error(WEFT__API(u_));
            return st;
        }
        Datagram await_resume() {
            if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "recv_from", error_);
            got_.from = from_;
            return std::move(got_);
        }

       private:
        weft_udp* u_;
        void* buf_;
        std::size_t len_;
        Datagram got_;
        detail::AddrBuf from_ = {};
        std::string error_;
    };

    [[nodiscard]] SendTo send_to(const void* data, std::size_t len, std::string to) {
        return SendTo(u_, data, len, std::move(to));
    }
    // To the connected peer.
    [[nodiscard]] SendTo send(const void* data, std::size_t len) {
        return SendTo(u_, data, len, std::string());
    }
    [[nodiscard]] RecvFrom recv_from(void* buf, std::size_t len) noexcept {
        return RecvFrom(u_, buf, len);
    }
    [[nodiscard]] std::string local_addr() const {
        detail::AddrBuf buf;
        detail::check_net(weft_udp_local_addr(u_, buf, sizeof buf), "local_addr", WEFT__API(u_));
        return buf;
    }
    [[nodiscard]] weft_udp* raw() const noexcept { return u_; }
    void close() noexcept {
        if (u_) weft_udp_close(std::exchange(u_, nullptr));
    }

   private:
    weft_udp* u_ = nullptr;
};

// Resolves "host:port" to addresses ("127.0.0.1:80", "[::1]:80"), on the host's blocking pool.
class [[nodiscard]] Resolve : public Awaitable<Resolve> {
   public:
    explicit Resolve(std::string host_port) : host_port_(std::move(host_port)) {}
    Resolve(Resolve&& o) noexcept
        : Awaitable<Resolve>(o),
          host_port_(std::move(o.host_port_)),
          op_(std::exchange(o.op_, nullptr)) {}
    Resolve& operator=(Resolve&&) = delete;
    ~Resolve() { weft_op_cancel(&op_); }
    weft_status poll(weft_context* cx) noexcept {
        weft_host* host = detail::t_current.root ? detail::t_current.root->host().raw() : nullptr;
        const weft_status st =
            weft_resolve(cx, host, host_port_.c_str(), out_, sizeof out_, &count_, &op_);
        if (st < 0) error_ = detail::take_last_error(host ? WEFT__API(host) : nullptr);
        return st;
    }
    std::vector<std::string> await_resume() const {
        if (this->status_ != WEFT_OK) detail::throw_net(this->status_, "resolve", error_);
        std::vector<std::string> addrs;
        std::string all(out_);
        std::size_t at = 0;
        while (at < all.size()) {
            const std::size_t nl = all.find('\n', at);
            addrs.push_back(all.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
            if (nl == std::string::npos) break;
            at = nl + 1;
        }
        return addrs;
    }

   private:
    std::string host_port_;
    weft_op* op_ = nullptr;
    char out_[1024] = {};
    std::size_t count_ = 0;
    std::string error_;
};

[[nodiscard]] inline Resolve resolve(std::string host_port) {
    return Resolve(std::move(host_port));
}

}  // namespace sdk
}  // namespace weft
