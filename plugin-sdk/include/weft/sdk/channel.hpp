// Typed named channels: weft::Sender<T> and weft::Receiver<T> over plugin.h's byte channels.
//
//   weft::Sender<Record> tx(host, "records", weft::ChannelKind::mpsc, 64);   // opens for SEND
//   if (!co_await tx.send(record)) { /* the channel closed */ }
//                                     // weft::NoReceiver: every receiver closed its handle
//   weft::Receiver<Record> rx(host, "records");                            // opens for RECV
//   while (auto r = co_await rx.recv()) use(*r);                            // empty: closed
//
// The same two classes serve every kind (mpsc, mpmc, broadcast, watch; see plugin.h 6.7 for
// how each behaves). Messages are encoded by weft::Codec<T>: provided for trivially copyable
// types (their bytes; the receiver checks the size), std::string and byte vectors; specialise it
// for your own types. A broadcast receiver that fell behind gets weft::Lagged from recv().
//
// Handles close when destroyed. send() and recv() are cancel-safe (a cancelled send was not
// accepted; a cancelled receive took nothing). Thread-safety: a Sender or Receiver may be used by
// one task at a time; open one per task, or share it between tasks that never use it at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

enum class ChannelKind : int {
    any = WEFT_CHANNEL_ANY,
    mpsc = WEFT_CHANNEL_MPSC,
    mpmc = WEFT_CHANNEL_MPMC,
    broadcast = WEFT_CHANNEL_BROADCAST,
    watch = WEFT_CHANNEL_WATCH
};

// Codec<T>: `encode(value)` gives bytes valid while `value` lives; `decode(bytes)` builds a T
// or throws Error(WEFT_ERR_MISMATCH). `receive_buffer`, when nonzero, is the size of a buffer the
// receiver offers the host (plugin.h section 4): a message that fits is copied straight into it,
// without a host allocation.
template <class T>
struct Codec;

template <class T>
requires std::is_trivially_copyable_v<T>
struct Codec<T> {
    static constexpr std::size_t receive_buffer = sizeof(T);
    static std::span<const std::byte> encode(const T& value) noexcept {
        return {reinterpret_cast<const std::byte*>(&value), sizeof(T)};
    }
    static T decode(std::span<const std::byte> bytes) {
        if (bytes.size() != sizeof(T)) {
            throw Error(WEFT_ERR_MISMATCH, "received a message of " + std::to_string(bytes.size()) +
                                               " bytes where " + std::to_string(sizeof(T)) +
                                               " were expected (a sender of another type?)");
        }
        T value;
        std::memcpy(&value, bytes.data(), sizeof(T));
        return value;
    }
};

template <>
struct Codec<std::string> {
    static constexpr std::size_t receive_buffer = 0;
    static std::span<const std::byte> encode(const std::string& s) noexcept {
        return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    }
    static std::string decode(std::span<const std::byte> bytes) {
        return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
};

template <class Byte>
requires(std::is_same_v<Byte, std::byte> || std::is_same_v<Byte, unsigned char> ||
         std::is_same_v<Byte, char>) struct Codec<std::vector<Byte>> {
    static constexpr std::size_t receive_buffer = 0;
    static std::span<const std::byte> encode(const std::vector<Byte>& v) noexcept {
        return {reinterpret_cast<const std::byte*>(v.data()), v.size()};
    }
    static std::vector<Byte> decode(std::span<const std::byte> bytes) {
        const auto* p = reinterpret_cast<const Byte*>(bytes.data());
        return std::vector<Byte>(p, p + bytes.size());
    }
};

namespace detail {

// An open weft_channel, closed on destruction.
class ChannelHandle {
   public:
    ChannelHandle() noexcept = default;
    ChannelHandle(const Host& host, std::string_view name, ChannelKind kind, std::uint32_t capacity,
                  std::uint32_t flags) {
        const std::string n(name);
        check(weft_channel_open(host.raw(), n.c_str(), static_cast<weft_channel_kind>(kind),
                                capacity, flags, &channel_),
              ("opening channel '" + n + "'").c_str(), host.api());
    }
    ChannelHandle(ChannelHandle&& other) noexcept
        : channel_(std::exchange(other.channel_, nullptr)) {}
    ChannelHandle& operator=(ChannelHandle&& other) noexcept {
        if (this != &other) {
            close();
            channel_ = std::exchange(other.channel_, nullptr);
        }
        return *this;
    }
    ~ChannelHandle() { close(); }

    void close() noexcept {
        if (channel_) weft_channel_close(std::exchange(channel_, nullptr));
    }
    [[nodiscard]] weft_channel* raw() const noexcept { return channel_; }
    [[nodiscard]] explicit operator bool() const noexcept { return channel_ != nullptr; }
    [[nodiscard]] weft_channel_info info() const noexcept {
        weft_channel_info i{};
        i.size = sizeof i;
        if (channel_) weft_channel_query(channel_, &i);
        return i;
    }

   private:
    weft_channel* channel_ = nullptr;
};

// Codec<T>::receive_buffer, or 0 for a codec that does not say.
template <class T>
constexpr std::size_t receive_buffer_size() noexcept {
    if constexpr (requires { Codec<T>::receive_buffer; }) {
        return Codec<T>::receive_buffer;
    } else {
        return 0;
    }
}

// The buffer a receive offers the host, or none.
template <class T, std::size_t N = receive_buffer_size<T>()>
struct ReceiveBuffer {
    alignas(alignof(std::max_align_t)) std::byte bytes[N];
    void offer(weft_message& m) noexcept {
        m.buffer = bytes;
        m.buffer_size = N;
    }
};
template <class T>
struct ReceiveBuffer<T, 0> {
    void offer(weft_message&) noexcept {}
};

// Releases a received message however its decoding ends.
struct MessageGuard {
    weft_message& m;
    ~MessageGuard() { weft_message_release(&m); }
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
        return {static_cast<const std::byte*>(m.data), m.len};
    }
};

}  // namespace detail

// no_receiver: every receiver of the mpsc/mpmc channel closed its handle (not accepted).
enum class TrySend { sent, full, closed, no_receiver };

template <class T>
class Sender {
   public:
    Sender() noexcept = default;
    // Opens `name` for sending; kind `any` and capacity 0 accept what the config declared.
    // Throws Error (WEFT_ERR_MISMATCH names both kinds and capacities; WEFT_ERR_NOT_FOUND).
    Sender(const Host& host, std::string_view name, ChannelKind kind = ChannelKind::any,
           std::uint32_t capacity = 0)
        : channel_(host, name, kind, capacity, WEFT_CHANNEL_SEND) {}

    class [[nodiscard]] Send : public Awaitable<Send> {
       public:
        Send(weft_channel* channel, T value) : channel_(channel), value_(std::move(value)) {}
        Send(Send&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
            : Awaitable<Send>(other),
              channel_(other.channel_),
              value_(std::move(other.value_)),
              op_(std::exchange(other.op_, nullptr)) {}
        Send& operator=(Send&&) = delete;
        ~Send() { weft_op_cancel(&op_); }

        weft_status poll(weft_context* cx) noexcept {
            const auto bytes = Codec<T>::encode(value_);
            return weft_channel_send(cx, channel_, bytes.data(), bytes.size(), &op_);
        }
        // True when the channel accepted the message; false when it is closed. Throws
        // NoReceiver when every receiver closed its handle (the message was not accepted).
        bool await_resume() const {
            if (this->status_ == WEFT_OK) return true;
            if (this->status_ == WEFT_ERR_CLOSED) return false;
            if (this->status_ == WEFT_ERR_NO_RECEIVER)
                throw NoReceiver("weft::Sender::send: no receiver");
            throw Error(this->status_, "weft::Sender::send");
        }

       private:
        weft_channel* channel_;
        T value_;
        weft_op* op_ = nullptr;
    };

    // Sends `value`, waiting while the channel is full (mpsc, mpmc).
    [[nodiscard]] Send send(T value) const { return Send(channel_.raw(), std::move(value)); }

    TrySend try_send(const T& value) const {
        const auto bytes = Codec<T>::encode(value);
        const weft_status s = weft_channel_try_send(channel_.raw(), bytes.data(), bytes.size());
        if (s == WEFT_OK) return TrySend::sent;
        if (s == WEFT_ERR_FULL) return TrySend::full;
        if (s == WEFT_ERR_CLOSED) return TrySend::closed;
        if (s == WEFT_ERR_NO_RECEIVER) return TrySend::no_receiver;
        throw Error(s, "weft::Sender::try_send");
    }

    [[nodiscard]] weft_channel_info info() const noexcept { return channel_.info(); }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(channel_); }
    void close() noexcept { channel_.close(); }

   private:
    detail::ChannelHandle channel_;
};

template <class T>
class Receiver {
   public:
    Receiver() noexcept = default;
    // Opens `name` for receiving (a broadcast receiver gets what is sent from now on).
    Receiver(const Host& host, std::string_view name, ChannelKind kind = ChannelKind::any,
             std::uint32_t capacity = 0)
        : channel_(host, name, kind, capacity, WEFT_CHANNEL_RECV) {}

    class [[nodiscard]] Recv : public Awaitable<Recv> {
       public:
        explicit Recv(weft_channel* channel) noexcept : channel_(channel) {}
        Recv(Recv&& other) noexcept
            : Awaitable<Recv>(other),
              channel_(other.channel_),
              op_(std::exchange(other.op_, nullptr)) {}
        Recv& operator=(Recv&&) = delete;
        ~Recv() {
            weft_op_cancel(&op_);
            weft_message_release(&message_);
        }

        weft_status poll(weft_context* cx) noexcept {
            buffer_.offer(message_);  // here, not at construction: the awaitable may have moved
            return weft_channel_recv(cx, channel_, &message_, &op_);
        }
        // The message; empty when the channel is closed and drained. Throws Lagged (broadcast)
        // or Error.
        std::optional<T> await_resume() {
            switch (this->status_) {
                case WEFT_OK: {
                    detail::MessageGuard guard{message_};
                    return Codec<T>::decode(guard.bytes());
                }
                case WEFT_ERR_CLOSED:
                    return std::nullopt;
                case WEFT_ERR_LAGGED:
                    throw Lagged(message_.lagged);
                default:
                    throw Error(this->status_, "weft::Receiver::recv");
            }
        }

       private:
        weft_channel* channel_;
        weft_message message_ = WEFT_MESSAGE_INIT;
        weft_op* op_ = nullptr;
        detail::ReceiveBuffer<T> buffer_;
    };

    [[nodiscard]] Recv recv() const noexcept { return Recv(channel_.raw()); }

    // A message if one is there now; empty when there is none or the channel is closed.
    std::optional<T> try_recv() const {
        weft_message m = WEFT_MESSAGE_INIT;
        detail::ReceiveBuffer<T> buffer;
        buffer.offer(m);
        const weft_status s = weft_channel_try_recv(channel_.raw(), &m);
        detail::MessageGuard guard{m};
        switch (s) {
            case WEFT_OK:
                return Codec<T>::decode(guard.bytes());
            case WEFT_ERR_EMPTY:
            case WEFT_ERR_CLOSED:
                return std::nullopt;
            case WEFT_ERR_LAGGED:
                throw Lagged(m.lagged);
            default:
                throw Error(s, "weft::Receiver::try_recv");
        }
    }

    [[nodiscard]] weft_channel_info info() const noexcept { return channel_.info(); }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(channel_); }
    void close() noexcept { channel_.close(); }

   private:
    detail::ChannelHandle channel_;
};

}  // namespace sdk
}  // namespace weft
