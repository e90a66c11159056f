// Outbound mapping: see outbound.hpp.
#include "outbound.hpp"

#include <array>
#include <string_view>
#include <vector>

namespace redis_bridge {

Outbound::Outbound(const BridgeShared& shared, OutboundConfig config, Spool spool)
    : shared_(shared),
      config_(std::move(config)),
      spool_(std::move(spool)),
      in_(shared.host, config_.channel, config_.kind, config_.capacity) {
    std::string error;
    held_ = spool_.load(error);
    if (!error.empty()) shared_.log.error("redis-bridge: spool ", error);
    from_spool_ = held_.size();
    if (from_spool_ != 0)
        shared_.log.info("redis-bridge: ", from_spool_, " spooled messages for stream '",
                         config_.stream, "' from ", spool_.file().string(), " are sent first");
}

Outbound::~Outbound() { finish(); }

void Outbound::add(const char* metric, std::uint64_t n) const {
    if (n == 0) return;
    shared_.metrics.counter_add(
        metric,
        {{"direction", "outbound"}, {"channel", config_.channel}, {"stream", config_.stream}}, n);
}

void Outbound::note_outage(const std::string& why) {
    if (down_) {
        shared_.log.debug("redis-bridge: stream '", config_.stream, "': ", why);
        return;
    }
    down_ = true;
    down_since_ = std::chrono::steady_clock::now();
    const std::uint64_t waiting = held_.size() + in_.info().queued;
    shared_.log.warn("redis-bridge: cannot send to stream '", config_.stream, "' at ",
                     shared_.config.redis, ": ", why, "; ", waiting,
                     " messages waiting, retrying with backoff");
}

weft::Task<bool> Outbound::send_held() {
    if (!conn_.valid()) {
        conn_ = co_await shared_.connect();
        if (ever_connected_) add("redis_bridge_reconnects_total", 1);
        ever_connected_ = true;
    }
    const std::size_t n = std::min<std::size_t>(held_.size(), config_.batch);
    const std::string maxlen = std::to_string(config_.maxlen);
    for (std::size_t i = 0; i < n; ++i) {
        if (config_.maxlen != 0) {
            const std::array<std::string_view, 8> args{
                "XADD", config_.stream, "MAXLEN", "~", maxlen, "*", "data", held_[i]};
            conn_.append(args);
        } else {
            const std::array<std::string_view, 5> args{"XADD", config_.stream, "*", "data",
                                                       held_[i]};
            conn_.append(args);
        }
    }
    co_await conn_.flush();
    add("redis_bridge_sent_total", n);
    // Replies come in order: the i-th acknowledges held_[i]. One refused (an error reply, e.g.
    // the key holds another type, or Redis is out of memory) stays held, in order.
    std::vector<std::string> refused;
    std::string first_error;
    std::size_t acked = 0;
    for (std::size_t i = 0; i < n; ++i) {
        Reply r = co_await conn_.read_reply();
        if (r->type == REDIS_REPLY_STRING) {
            ++acked;
        } else {
            if (first_error.empty()) first_error = "XADD refused: " + describe(r.get());
            refused.push_back(std::move(held_[i]));
        }
    }
    for (std::size_t i = 0; i < n; ++i) held_.pop_front();
    for (auto it = refused.rbegin(); it != refused.rend(); ++it) held_.push_front(std::move(*it));
    acknowledged_ += acked;
    add("redis_bridge_acknowledged_total", acked);
    if (from_spool_ != 0) {
        // Spooled messages go first, so they are acknowledged first (a refused one is pushed
        // back to the front: they stay first).
        from_spool_ = acked >= from_spool_ ? 0 : from_spool_ - acked;
        if (from_spool_ == 0 && refused.empty()) {
            spool_.remove();
            shared_.log.info("redis-bridge: the spooled messages of stream '", config_.stream,
                             "' were all acknowledged");
        }
    }
    if (!refused.empty()) throw weft::Error(WEFT_ERR_IO, first_error);
    co_return true;
}

weft::Task<> Outbound::run() {
    Backoff backoff(shared_.config);
    auto publish_pending = [this] {
        shared_.metrics.gauge_set(
            "redis_bridge_pending",
            {{"direction", "outbound"}, {"channel", config_.channel}, {"stream", config_.stream}},
            static_cast<double>(held_.size() + in_.info().queued));
    };
    bool channel_open = true;
    while (true) {
        const bool stopping = shared_.shutdown.is_requested();
        if (held_.empty()) {
            if (!channel_open) break;
            if (stopping) {
                // Drain: send what is still queued, then stop.
                auto m = in_.try_recv();
                if (!m) break;
                held_.push_back(std::move(*m));
            } else {
                publish_pending();
                auto r = co_await shared_.shutdown.run_until_cancelled(in_.recv());
                if (!r) continue;
                auto& m = *r;
                if (!m) {
                    channel_open = false;
                    continue;
                }
                held_.push_back(std::move(*m));
            }
        }
        while (held_.size() < config_.batch) {
            auto m = in_.try_recv();
            if (!m) break;
            held_.push_back(std::move(*m));
        }
        std::string failure;
        try {
            co_await send_held();
        } catch (const weft::Error& e) {
            failure = e.what();
            if (e.status() == WEFT_ERR_CANCELLED) throw;
        }
        if (failure.empty()) {
            if (down_) {
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - down_since_)
                                    .count();
                shared_.log.info("redis-bridge: stream '", config_.stream,
                                 "' reachable again after ", ms, " ms");
                down_ = false;
            }
            backoff.reset();
            continue;
        }
        conn_.close();
        note_outage(failure);
        publish_pending();
        if (stopping || shared_.shutdown.is_requested()) break;  // spool what is left
        (void)co_await shared_.shutdown.run_until_cancelled(weft::sleep(backoff.next()));
    }
    finish();
}

void Outbound::finish() noexcept {
    if (finished_) return;
    finished_ = true;
    try {
        while (auto m = in_.try_recv()) held_.push_back(std::move(*m));
        std::string error;
        if (held_.empty()) {
            if (from_spool_ == 0) spool_.remove();
        } else if (!spool_.enabled()) {
            shared_.log.error("redis-bridge: ", held_.size(), " messages for stream '",
                              config_.stream, "' are lost: no state directory for the spool");
        } else if (!spool_.store(held_, error)) {
            shared_.log.error("redis-bridge: ", held_.size(), " messages for stream '",
                              config_.stream, "' are lost: ", error);
        } else {
            add("redis_bridge_spooled_total", held_.size());
            shared_.log.warn("redis-bridge: ", held_.size(), " unsent messages for stream '",
                             config_.stream, "' spooled to ", spool_.file().string());
        }
        shared_.log.info("redis-bridge: outbound '", config_.channel, "' -> stream '",
                         config_.stream, "': ", acknowledged_, " messages acknowledged");
        held_.clear();
    } catch (const std::exception& e) {
        shared_.log.error("redis-bridge: spooling stream '", config_.stream, "': ", e.what());
    }
}

}  // namespace redis_bridge
