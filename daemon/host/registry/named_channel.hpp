// NamedChannel and Endpoint: the registry's channels, as the plugin ABI sees them.
//
// A NamedChannel is one channel of the registry (one runtime channel of host Messages) with its
// name, kind, capacity and counters. Each plugin handle (plugin.h's weft_channel) owns an
// Endpoint of it: what that handle may do, with the state the kind needs per handle (a sender
// clone for SEND; for RECV the shared receiver of an mpsc channel, or a receiver of its own for
// broadcast and watch).
//
// Operations that may wait are SendOp and RecvOp objects living in a plugin's operation slot
// (host/abi/): each wraps the runtime primitive's own awaitable and polls it directly, so
// the runtime's wakers, fairness, coop budget and cancellation rules apply unchanged across the
// ABI. Destroying an op cancels it with the primitive's cancellation semantics.
//
// Accounting (plugin.h 6.7, "nothing lost silently"): every message a channel accepted is
// counted; receiving counts it delivered; what is still buffered when its channel or receiver
// goes away is counted dropped, and the registry reports it in the shutdown log.
//
// Thread-safety: an Endpoint's try_* and start_* may be called from any thread; plugin.h asks that
// one handle be used by one task at a time, except that sends from several tasks are allowed
// (the SenderSlot makes them safe). retire() may race with sends from other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "host/abi/api_support.hpp"
#include "host/config/config.hpp"
#include "host/registry/message.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/task/context.hpp"

namespace weft::host {

struct ChannelCounters {
    alignas(64) std::atomic<std::uint64_t> accepted{0};   // sends that succeeded
    alignas(64) std::atomic<std::uint64_t> delivered{0};  // receives that succeeded
    std::atomic<std::uint64_t> lagged{0};                 // broadcast messages receivers skipped
    std::atomic<std::uint64_t> dropped{0};  // buffered when their receiver or channel went away
    std::atomic<std::uint64_t> unheard{0};  // broadcast messages sent while nobody listened
    // mpsc/mpmc sends made while every receiver had closed its handle (see NamedChannel).
    std::atomic<std::uint64_t> no_receiver{0};
};

class SendOp : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::send;
    SendOp() noexcept : OpBase(kKind) {}
    // WEFT_OK (accepted), WEFT_PENDING or WEFT_ERR_CLOSED.
    virtual weft_status poll(Context& cx) noexcept = 0;
};

class RecvOp : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::recv;
    RecvOp() noexcept : OpBase(kKind) {}
    // WEFT_OK (`out` holds the message), WEFT_PENDING, WEFT_ERR_CLOSED or WEFT_ERR_LAGGED
    // (`lagged` skipped).
    virtual weft_status poll(Context& cx, Message& out, std::uint64_t& lagged) noexcept = 0;
};

class Endpoint {
   public:
    Endpoint() = default;
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;
    virtual ~Endpoint() = default;

    // WEFT_OK (m was moved into the channel), WEFT_ERR_FULL (m is untouched) or WEFT_ERR_CLOSED.
    virtual weft_status try_send(Message& m) = 0;
    // A pending send of m, or nullptr when this endpoint can no longer send (WEFT_ERR_CLOSED).
    virtual std::unique_ptr<SendOp> start_send(Message m) = 0;
    // WEFT_OK, WEFT_ERR_EMPTY, WEFT_ERR_CLOSED, WEFT_ERR_LAGGED or WEFT_ERR_BUSY.
    virtual weft_status try_recv(Message& out, std::uint64_t& lagged) = 0;
    // A pending receive, or nullptr with *status set (WEFT_ERR_BUSY).
    virtual std::unique_ptr<RecvOp> start_recv(weft_status* status) = 0;
    // Gives up the right to send (shutdown).
    virtual void retire() noexcept {}
};

class NamedChannel {
   public:
    NamedChannel(std::string name, ChannelKind kind, std::uint32_t capacity, std::string origin)
        : name_(std::move(name)), kind_(kind), capacity_(capacity), origin_(std::move(origin)) {}
    NamedChannel(const NamedChannel&) = delete;
    NamedChannel& operator=(const NamedChannel&) = delete;
    virtual ~NamedChannel() = default;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] ChannelKind kind() const noexcept { return kind_; }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return capacity_; }
    // "declared in the config" or "created by plugin 'x'", for mismatch messages.
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
    [[nodiscard]] ChannelCounters& counters() noexcept { return counters_; }

    // Receivers. Each plugin handle opened with WEFT_CHANNEL_RECV counts while it is open. An
    // mpsc or mpmc channel whose receivers all closed their handles (after at least one had
    // opened: a sender may start before its receiver) refuses sends with WEFT_ERR_NO_RECEIVER
    // instead of buffering messages nobody will take; a pending send is woken to learn it.
    // Messages already buffered stay, and a receiver that opens the channel again (a restarted
    // plugin) receives them, and sends are accepted again. Any thread.
    void receiver_opened() noexcept {
        receivers_.fetch_add(1, std::memory_order_acq_rel);
        had_receiver_.store(true, std::memory_order_release);
    }
    void receiver_closed() noexcept {
        if (receivers_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            receiver_left_.notify_waiters();
    }
    [[nodiscard]] bool receiver_gone() const noexcept {
        return (kind_ == ChannelKind::mpsc || kind_ == ChannelKind::mpmc) &&
               had_receiver_.load(std::memory_order_acquire) &&
               receivers_.load(std::memory_order_acquire) == 0;
    }
    // Receiver handles open now (and holds, Registry::hold_receivers).
    [[nodiscard]] std::uint32_t receivers() const noexcept {
        return receivers_.load(std::memory_order_acquire);
    }
    // Notified (notify_waiters) each time the last open receiver closes.
    [[nodiscard]] sync::Notify& receiver_left() noexcept { return receiver_left_; }

    // An endpoint for a handle with WEFT_CHANNEL_SEND and/or _RECV. Throws std::bad_alloc; returns
    // nullptr when sending is asked for during shutdown (the channel may already be closed).
    [[nodiscard]] virtual std::unique_ptr<Endpoint> open(std::uint32_t flags) = 0;
    // Shutdown began: the registry's own sender goes, so the channel closes once the plugins'
    // senders are gone.
    virtual void begin_shutdown() noexcept = 0;
    // Every handle is closed: counts what is still buffered as dropped.
    virtual void drain() noexcept = 0;

   protected:
    ChannelCounters counters_;

   private:
    std::atomic<std::uint32_t> receivers_{0};
    std::atomic<bool> had_receiver_{false};
    sync::Notify receiver_left_;
    std::string name_;
    ChannelKind kind_;
    std::uint32_t capacity_;
    std::string origin_;
};

// Holds a "receiving" flag for as long as it lives: one receiving task at a time per receiver
// (a second gets WEFT_ERR_BUSY instead of a data race).
class ReceiveClaim {
   public:
    explicit ReceiveClaim(std::atomic<bool>& flag) noexcept
        : flag_(flag.exchange(true, std::memory_order_acquire) ? nullptr : &flag) {}
    ReceiveClaim(const ReceiveClaim&) = delete;
    ReceiveClaim& operator=(const ReceiveClaim&) = delete;
    ~ReceiveClaim() {
        if (flag_) flag_->store(false, std::memory_order_release);
    }
    explicit operator bool() const noexcept { return flag_ != nullptr; }

   private:
    std::atomic<bool>* flag_;
};

// A receiver of a handle, shared with its pending operation (which must not outlive it even if
// a plugin closes the handle first).
template <class R>
struct ReceiverBox {
    explicit ReceiverBox(R r) : rx(std::move(r)) {}
    R rx;
    std::atomic<bool> receiving{false};
};

// A sender that may be retired while other threads use it: each use holds a count, retire()
// waits for the count to fall to zero before dropping the sender. Two atomic operations per use;
// retire is rare (once per handle, at shutdown).
template <class S>
class SenderSlot {
   public:
    explicit SenderSlot(std::optional<S> sender) noexcept : sender_(std::move(sender)) {}
    ~SenderSlot() { retire(); }

    class Use {
       public:
        Use() noexcept = default;
        Use(SenderSlot* slot, S* sender) noexcept : slot_(slot), sender_(sender) {}
        Use(Use&& o) noexcept
            : slot_(std::exchange(o.slot_, nullptr)), sender_(std::exchange(o.sender_, nullptr)) {}
        Use& operator=(Use&&) = delete;
        ~Use() {
            if (slot_) slot_->uses_.fetch_sub(1, std::memory_order_release);
        }
        [[nodiscard]] S* get() const noexcept { return sender_; }
        explicit operator bool() const noexcept { return sender_ != nullptr; }

       private:
        SenderSlot* slot_ = nullptr;
        S* sender_ = nullptr;
    };

    // The sender, or an empty Use once retired. seq_cst on both sides: either retire() sees this
    // use, or this use sees `retired_`.
    [[nodiscard]] Use acquire() noexcept {
        uses_.fetch_add(1, std::memory_order_seq_cst);
        if (retired_.load(std::memory_order_seq_cst) || !sender_) {
            uses_.fetch_sub(1, std::memory_order_release);
            return {};
        }
        return Use(this, &*sender_);
    }
    void retire() noexcept {
        retired_.store(true, std::memory_order_seq_cst);
        while (uses_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
        sender_.reset();
    }
    [[nodiscard]] bool has_sender() const noexcept { return sender_.has_value(); }

   private:
    std::optional<S> sender_;
    std::atomic<std::uint32_t> uses_{0};
    std::atomic<bool> retired_{false};
};

}  // namespace weft::host
