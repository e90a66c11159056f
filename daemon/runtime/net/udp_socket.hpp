// weft::net::UdpSocket: a UDP socket (Tokio's `net::UdpSocket`).
//
//   auto sock = weft::net::UdpSocket::bind(*weft::net::SocketAddr::parse("127.0.0.1:0"));
//   co_await sock->send_to(msg.data(), msg.size(), peer);
//   char buf[1500];
//   auto got = co_await sock->recv_from(buf, sizeof buf);   // got->first bytes from got->second
//
// One datagram per call: a datagram longer than the buffer is truncated (the rest is lost, as
// recvfrom does). connect() fixes the peer, after which send() and recv() use it and datagrams
// from other addresses are dropped by the kernel. send_to/recv_from/send/recv are leaf
// awaitables, cancel-safe (a dropped recv took no datagram, a dropped send sent nothing), spend
// coop budget and compose with timeout. One task receives and one sends at a time.
#pragma once

#include <cstddef>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/net/evented.hpp"
#include "runtime/net/socket_addr.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::net {

class UdpSocket {
   public:
    UdpSocket() noexcept = default;
    UdpSocket(UdpSocket&&) noexcept = default;
    UdpSocket& operator=(UdpSocket&&) noexcept = default;

    // Binds to `addr` (port 0: a free port), on the current runtime or on `runtime`.
    [[nodiscard]] static IoResult<UdpSocket> bind(const SocketAddr& addr,
                                                  const Handle* runtime = nullptr);
    // Sets the default peer of send() and recv() (synchronous for UDP).
    IoResult<void> connect(const SocketAddr& peer);

    class [[nodiscard]] SendTo : public Pollable<SendTo> {
       public:
        SendTo(UdpSocket& s, const void* data, std::size_t len, const SocketAddr* to) noexcept
            : s_(&s), data_(data), len_(len), to_(to ? *to : SocketAddr()), has_to_(to) {}
        bool poll(Context& cx) noexcept;
        IoResult<std::size_t> await_resume() const;

       private:
        UdpSocket* s_;
        const void* data_;
        std::size_t len_;
        SocketAddr to_;
        bool has_to_;
        ssize_t n_ = 0;
        int error_ = 0;
    };
    class [[nodiscard]] RecvFrom : public Pollable<RecvFrom> {
       public:
        RecvFrom(UdpSocket& s, void* data, std::size_t len) noexcept
            : s_(&s), data_(data), len_(len) {}
        bool poll(Context& cx) noexcept;
        // The datagram's length (before truncation to the buffer: compare with the buffer's
        // size) and its sender.
        IoResult<std::pair<std::size_t, SocketAddr>> await_resume() const;

       private:
        UdpSocket* s_;
        void* data_;
        std::size_t len_;
        SocketAddr from_;
        ssize_t n_ = 0;
        int error_ = 0;
    };

    [[nodiscard]] SendTo send_to(const void* data, std::size_t len, const SocketAddr& to) noexcept {
        return SendTo(*this, data, len, &to);
    }
    [[nodiscard]] RecvFrom recv_from(void* data, std::size_t len) noexcept {
        return RecvFrom(*this, data, len);
    }
    // To / from the connected peer.
    [[nodiscard]] SendTo send(const void* data, std::size_t len) noexcept {
        return SendTo(*this, data, len, nullptr);
    }
    [[nodiscard]] RecvFrom recv(void* data, std::size_t len) noexcept {
        return RecvFrom(*this, data, len);
    }

    [[nodiscard]] const SocketAddr& local_addr() const noexcept { return local_; }
    [[nodiscard]] bool valid() const noexcept { return socket_.valid(); }
    [[nodiscard]] int native_handle() const noexcept { return socket_.fd(); }
    void close() noexcept { socket_.close(); }

   private:
    detail::Evented socket_;
    SocketAddr local_;
    SocketAddr peer_;
};

}  // namespace weft::net
