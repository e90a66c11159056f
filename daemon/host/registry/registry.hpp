// Registry: the named objects plugins share: channels (mpsc, MPMC, broadcast, watch), Notify and
// semaphores, so that two plugins that never saw each other's code can exchange messages.
//
// Channels and semaphores are declared in the config (`channels`, `semaphores`) or created by the
// first open that gives a kind (and capacity, or permits); later opens share them. An open that
// names another kind or capacity (or permit count) fails with WEFT_ERR_MISMATCH and a message
// naming both. Notify needs no declaration.
//
// Shutdown: begin_shutdown() lets channels close once their plugins' senders are gone (and
// refuses new senders); finish_shutdown(), when every plugin handle is closed, counts per channel
// what was accepted but never received and logs it: the "nothing lost silently" report.
//
// Thread-safety: every member may be called from any thread (one mutex guards the maps; objects
// are shared_ptr so a handle keeps its object alive).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "host/pools/pool_set.hpp"
#include "host/registry/named_channel.hpp"
#include "host/registry/named_sync.hpp"
#include "weft/plugin.h"

namespace weft::host {

// A failed open: the status to return and the message for weft_last_error and the log.
struct RegistryError {
    weft_status status;
    std::string message;
};

template <class T>
struct Opened {
    std::shared_ptr<T> object;  // set on success
    RegistryError error{WEFT_OK, {}};
    [[nodiscard]] bool ok() const noexcept { return object != nullptr; }
};

struct ChannelReport {
    std::string name;
    ChannelKind kind;
    std::uint32_t capacity;
    std::uint64_t accepted, delivered, dropped, lagged, unheard;
    std::uint64_t no_receiver = 0;  // sends made while every receiver had closed its handle
};

class Registry {
   public:
    explicit Registry(const Config& config);
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // kind: WEFT_CHANNEL_ANY accepts the existing one; capacity 0 likewise. `who` names the
    // opener ("plugin 'x'") in messages.
    [[nodiscard]] Opened<NamedChannel> channel(std::string_view name, weft_channel_kind kind,
                                               std::uint32_t capacity, std::string_view who);
    [[nodiscard]] Opened<NamedNotify> notify(std::string_view name);
    // permits 0 accepts the existing one.
    [[nodiscard]] Opened<NamedSemaphore> semaphore(std::string_view name, std::uint32_t permits,
                                                   std::string_view who);

    // The named pools (host/pools/pool_set.hpp); begin_shutdown() closes them.
    [[nodiscard]] PoolSet& pools() noexcept { return pools_; }
    [[nodiscard]] const PoolSet& pools() const noexcept { return pools_; }

    // Live reload. declare_* adds a channel or semaphore the new config declares (an existing one
    // of that name, created meanwhile by a plugin's open, is kept if it agrees; otherwise the
    // message says why not). retire_* takes a name out of the registry: new opens no longer find
    // it; handles keep their object; a retired channel closes once the plugins' senders are gone
    // (as at shutdown), so its receivers see the end of what was sent.
    [[nodiscard]] std::optional<std::string> declare_channel(const std::string& name,
                                                             const ChannelConfig& config);
    void retire_channel(std::string_view name);
    // Forgets retired channels no handle refers to any more, logging what each accepted and
    // delivered (and any message left in it, as the shutdown report does).
    void prune_retired();
    [[nodiscard]] std::optional<std::string> declare_semaphore(const std::string& name,
                                                               std::uint32_t permits);
    void retire_semaphore(std::string_view name);

    // Counts one more receiver on every mpsc and mpmc channel that has one now, until it is
    // destroyed: while a live reload restarts the plugins that receive from them, senders wait for
    // room in the channel rather than be refused with WEFT_ERR_NO_RECEIVER.
    class ReceiverHold {
       public:
        explicit ReceiverHold(std::vector<std::shared_ptr<NamedChannel>> held) noexcept
            : held_(std::move(held)) {}
        ReceiverHold(const ReceiverHold&) = delete;
        ReceiverHold& operator=(const ReceiverHold&) = delete;
        ~ReceiverHold() {
            for (auto& c : held_) c->receiver_closed();
        }

       private:
        std::vector<std::shared_ptr<NamedChannel>> held_;
    };
    [[nodiscard]] ReceiverHold hold_receivers();

    void begin_shutdown();
    [[nodiscard]] bool shutting_down() const;
    // Drains every channel and logs the report; returns it (for tests and the admin endpoint).
    std::vector<ChannelReport> finish_shutdown();
    [[nodiscard]] std::vector<ChannelReport> report() const;

   private:
    [[nodiscard]] static std::shared_ptr<NamedChannel> make(std::string name, ChannelKind kind,
                                                            std::uint32_t capacity,
                                                            std::string origin);

    mutable std::mutex mutex_;
    bool shutting_down_ = false;
    std::map<std::string, std::shared_ptr<NamedChannel>, std::less<>> channels_;
    std::map<std::string, std::shared_ptr<NamedNotify>, std::less<>> notifies_;
    std::map<std::string, std::shared_ptr<NamedSemaphore>, std::less<>> semaphores_;
    std::vector<std::shared_ptr<NamedChannel>> retired_;  // retire_channel, until unused
    PoolSet pools_;
};

[[nodiscard]] weft_channel_kind to_abi(ChannelKind kind) noexcept;

}  // namespace weft::host
