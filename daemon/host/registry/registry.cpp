#include "host/registry/registry.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "host/abi/channel_kind.hpp"
#include "host/registry/channel_kinds.hpp"

namespace weft::host {
namespace {

constexpr const char* kDeclared = "declared in the config";

std::string describe(ChannelKind kind, std::uint32_t capacity) {
    if (kind == ChannelKind::watch) return "watch";
    return fmt::format("{} with capacity {}", to_string(kind), capacity);
}

}  // namespace

weft_channel_kind to_abi(ChannelKind kind) noexcept {
    switch (kind) {
        case ChannelKind::mpsc:
            return WEFT_CHANNEL_MPSC;
        case ChannelKind::mpmc:
            return WEFT_CHANNEL_MPMC;
        case ChannelKind::broadcast:
            return WEFT_CHANNEL_BROADCAST;
        case ChannelKind::watch:
            return WEFT_CHANNEL_WATCH;
    }
    return WEFT_CHANNEL_ANY;
}

std::shared_ptr<NamedChannel> Registry::make(std::string name, ChannelKind kind,
                                             std::uint32_t capacity, std::string origin) {
    switch (kind) {
        case ChannelKind::mpsc:
            return make_mpsc_channel(std::move(name), capacity, std::move(origin));
        case ChannelKind::mpmc:
            return make_mpmc_channel(std::move(name), capacity, std::move(origin));
        case ChannelKind::broadcast:
            return make_broadcast_channel(std::move(name), capacity, std::move(origin));
        case ChannelKind::watch:
            return make_watch_channel(std::move(name), std::move(origin));
    }
    return nullptr;
}

Registry::Registry(const Config& config) : pools_(config.pools) {
    for (const auto& [name, channel] : config.channels) {
        const std::uint32_t capacity =
            channel.kind == ChannelKind::watch ? 1 : channel.capacity.value_or(1);
        auto made = make(name, channel.kind, capacity, kDeclared);
        if (!made) {
            spdlog::error("channel '{}': {} channels are not available in this weftd", name,
                          to_string(channel.kind));
            continue;
        }
        channels_.emplace(name, std::move(made));
    }
    for (const auto& [name, permits] : config.semaphores)
        semaphores_.emplace(name, std::make_shared<NamedSemaphore>(name, permits, kDeclared));
}

Registry::~Registry() = default;

Opened<NamedChannel> Registry::channel(std::string_view name, weft_channel_kind kind,
                                       std::uint32_t capacity, std::string_view who) {
    std::optional<ChannelKind> wanted;
    if (!channel_kind_from_abi(kind, wanted))
        return {nullptr,
                {WEFT_ERR_INVALID_ARGUMENT,
                 fmt::format("unknown channel kind {}", static_cast<int>(kind))}};
    std::lock_guard lock(mutex_);
    if (auto it = channels_.find(name); it != channels_.end()) {
        const NamedChannel& c = *it->second;
        const bool kind_differs = wanted && *wanted != c.kind();
        const bool capacity_differs =
            capacity != 0 && c.kind() != ChannelKind::watch && capacity != c.capacity();
        if (kind_differs || capacity_differs) {
            const std::string asked = wanted ? describe(*wanted, capacity)
                                             : fmt::format("any kind with capacity {}", capacity);
            return {nullptr,
                    {WEFT_ERR_MISMATCH,
                     fmt::format("channel '{}' is {} ({}), but {} opened it as {}", name,
                                 describe(c.kind(), c.capacity()), c.origin(), who, asked)}};
        }
        return {it->second, {}};
    }
    if (!wanted || (capacity == 0 && *wanted != ChannelKind::watch)) {
        return {nullptr,
                {WEFT_ERR_NOT_FOUND,
                 fmt::format("channel '{}' does not exist: declare it in the config's "
                             "`channels`, or open it with a kind{}",
                             name, wanted ? " and a capacity of at least 1" : "")}};
    }
    if (shutting_down_)
        return {nullptr,
                {WEFT_ERR_SHUTDOWN, fmt::format("channel '{}': weftd is shutting down; "
                                                "no new channels",
                                                name)}};
    const std::uint32_t cap = *wanted == ChannelKind::watch ? 1 : capacity;
    auto made = make(std::string(name), *wanted, cap, fmt::format("created by {}", who));
    if (!made)
        return {nullptr,
                {WEFT_ERR_UNSUPPORTED, fmt::format("{} channels are not available in "
                                                   "this weftd",
                                                   to_string(*wanted))}};
    channels_.emplace(std::string(name), made);
    return {std::move(made), {}};
}

Opened<NamedNotify> Registry::notify(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = notifies_.find(name);
    if (it == notifies_.end())
        it = notifies_.emplace(std::string(name), std::make_shared<NamedNotify>(std::string(name)))
                 .first;
    return {it->second, {}};
}

Opened<NamedSemaphore> Registry::semaphore(std::string_view name, std::uint32_t permits,
                                           std::string_view who) {
    std::lock_guard lock(mutex_);
    if (auto it = semaphores_.find(name); it != semaphores_.end()) {
        const NamedSemaphore& s = *it->second;
        if (permits != 0 && permits != s.permits) {
            return {nullptr,
                    {WEFT_ERR_MISMATCH,
                     fmt::format("semaphore '{}' has {} permits ({}), but {} opened it with {}",
                                 name, s.permits, s.origin, who, permits)}};
        }
        return {it->second, {}};
    }
    if (permits == 0) {
        return {nullptr,
                {WEFT_ERR_NOT_FOUND,
                 fmt::format("semaphore '{}' does not exist: declare it in the config's "
                             "`semaphores`, or open it with a number of permits",
                             name)}};
    }
    auto made = std::make_shared<NamedSemaphore>(std::string(name), permits,
                                                 fmt::format("created by {}", who));
    semaphores_.emplace(std::string(name), made);
    return {std::move(made), {}};
}

std::optional<std::string> Registry::declare_channel(const std::string& name,
                                                     const ChannelConfig& config) {
    const std::uint32_t capacity =
        config.kind == ChannelKind::watch ? 1 : config.capacity.value_or(1);
    std::lock_guard lock(mutex_);
    if (const auto it = channels_.find(name); it != channels_.end()) {
        const NamedChannel& c = *it->second;
        if (c.kind() == config.kind && (c.kind() == ChannelKind::watch || c.capacity() == capacity))
            return std::nullopt;
        return fmt::format("channel '{}' is {} ({}); declaring it {} needs a restart", name,
                           describe(c.kind(), c.capacity()), c.origin(),
                           describe(config.kind, capacity));
    }
    auto made = make(name, config.kind, capacity, kDeclared);
    if (!made)
        return fmt::format("channel '{}': {} channels are not available in this weftd", name,
                           to_string(config.kind));
    channels_.emplace(name, std::move(made));
    return std::nullopt;
}

void Registry::retire_channel(std::string_view name) {
    std::shared_ptr<NamedChannel> channel;
    {
        std::lock_guard lock(mutex_);
        const auto it = channels_.find(name);
        if (it == channels_.end()) return;
        channel = std::move(it->second);
        channels_.erase(it);
    }
    channel->begin_shutdown();  // its own sender goes: closed once the plugins' senders are gone
    std::lock_guard lock(mutex_);
    retired_.push_back(std::move(channel));
}

void Registry::prune_retired() {
    std::vector<std::shared_ptr<NamedChannel>> unused;
    {
        std::lock_guard lock(mutex_);
        // Only this list still refers to it: no handle is open, nobody can send or receive.
        std::erase_if(retired_, [&](std::shared_ptr<NamedChannel>& c) {
            if (c.use_count() != 1) return false;
            unused.push_back(std::move(c));
            return true;
        });
    }
    for (auto& c : unused) {
        c->drain();
        auto& n = c->counters();
        const std::uint64_t lost = n.dropped.load() + n.lagged.load() + n.unheard.load();
        if (lost != 0 && c->kind() != ChannelKind::watch)
            spdlog::warn("removed channel '{}': {} messages accepted, {} delivered, {} dropped",
                         c->name(), n.accepted.load(), n.delivered.load(), lost);
        else
            spdlog::info("removed channel '{}' is closed: {} messages accepted, {} delivered",
                         c->name(), n.accepted.load(), n.delivered.load());
    }
}

std::optional<std::string> Registry::declare_semaphore(const std::string& name,
                                                       std::uint32_t permits) {
    std::lock_guard lock(mutex_);
    if (const auto it = semaphores_.find(name); it != semaphores_.end()) {
        if (it->second->permits == permits) return std::nullopt;
        return fmt::format(
            "semaphore '{}' has {} permits ({}); declaring it with {} needs a "
            "restart",
            name, it->second->permits, it->second->origin, permits);
    }
    semaphores_.emplace(name, std::make_shared<NamedSemaphore>(name, permits, kDeclared));
    return std::nullopt;
}

void Registry::retire_semaphore(std::string_view name) {
    std::lock_guard lock(mutex_);
    if (const auto it = semaphores_.find(name); it != semaphores_.end()) semaphores_.erase(it);
}

Registry::ReceiverHold Registry::hold_receivers() {
    std::vector<std::shared_ptr<NamedChannel>> held;
    std::lock_guard lock(mutex_);
    for (const auto& [name, channel] : channels_) {
        const ChannelKind k = channel->kind();
        if ((k == ChannelKind::mpsc || k == ChannelKind::mpmc) && channel->receivers() != 0) {
            channel->receiver_opened();
            held.push_back(channel);
        }
    }
    return ReceiverHold(std::move(held));
}

void Registry::begin_shutdown() {
    {
        std::lock_guard lock(mutex_);
        shutting_down_ = true;
        for (auto& [name, channel] : channels_) channel->begin_shutdown();
    }
    pools_.close_all();
}

bool Registry::shutting_down() const {
    std::lock_guard lock(mutex_);
    return shutting_down_;
}

std::vector<ChannelReport> Registry::report() const {
    std::lock_guard lock(mutex_);
    std::vector<ChannelReport> out;
    for (const auto& [name, channel] : channels_) {
        auto& c = channel->counters();
        out.push_back(ChannelReport{name, channel->kind(), channel->capacity(), c.accepted.load(),
                                    c.delivered.load(), c.dropped.load(), c.lagged.load(),
                                    c.unheard.load(), c.no_receiver.load()});
    }
    return out;
}

std::vector<ChannelReport> Registry::finish_shutdown() {
    {
        std::lock_guard lock(mutex_);
        shutting_down_ = true;
        for (auto& [name, channel] : channels_) channel->drain();
        for (auto& channel : retired_) channel->drain();
    }
    auto reports = report();
    std::uint64_t lost = 0;
    for (const ChannelReport& r : reports) {
        if (r.kind == ChannelKind::watch) {  // keeps only the latest value, by design
            spdlog::info("channel '{}' (watch): {} values sent, {} reads", r.name, r.accepted,
                         r.delivered);
            continue;
        }
        const std::uint64_t undelivered = r.dropped + r.lagged + r.unheard;
        lost += undelivered;
        const char* per = r.kind == ChannelKind::broadcast ? " (once per receiver)" : "";
        if (undelivered == 0) {
            spdlog::info("channel '{}': {} messages accepted, {} delivered{}", r.name, r.accepted,
                         r.delivered, per);
        } else {
            spdlog::warn(
                "channel '{}': {} messages accepted, {} delivered{}, {} dropped ({} "
                "still buffered at shutdown, {} skipped by lagging receivers, {} sent "
                "while no receiver listened)",
                r.name, r.accepted, r.delivered, per, undelivered, r.dropped, r.lagged, r.unheard);
        }
    }
    if (!reports.empty() && lost == 0)
        spdlog::info("shutdown: every message accepted by a channel was delivered");
    return reports;
}

}  // namespace weft::host
