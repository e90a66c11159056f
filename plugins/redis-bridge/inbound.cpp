// Inbound mapping: see inbound.hpp.
#include "inbound.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace redis_bridge {
namespace {

// The value of `field` in a flat [field, value, ...] array, or nullptr.
const redisReply* field_of(const redisReply* fields, std::string_view field) {
    if (fields == nullptr || fields->type != REDIS_REPLY_ARRAY) return nullptr;
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2)
        if (text_of(fields->element[i]) == field) return fields->element[i + 1];
    return nullptr;
}

[[noreturn]] void unexpected(const char* command, const redisReply* r) {
    throw weft::Error(WEFT_ERR_IO, std::string(command) + ": " + describe(r));
}

}  // namespace

Inbound::Inbound(const BridgeShared& shared, InboundConfig config)
    : shared_(shared),
      config_(std::move(config)),
      out_(shared.host, config_.channel, config_.kind, config_.capacity) {}

Inbound::~Inbound() = default;

void Inbound::add(const char* metric, std::uint64_t n) const {
    if (n == 0) return;
    shared_.metrics.counter_add(metric,
                                {{"direction", "inbound"},
                                 {"channel", config_.channel},
                                 {"stream", config_.stream},
                                 {"group", config_.group}},
                                n);
}

weft::Task<std::size_t> Inbound::deliver(const redisReply* entries, Source source) {
    if (entries == nullptr || entries->type != REDIS_REPLY_ARRAY) co_return 0;
    std::vector<std::string> skipped;  // acknowledged at once: nothing to deliver
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < entries->elements; ++i) {
        const redisReply* e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) unexpected("stream entry", e);
        std::string id(text_of(e->element[0]));
        const redisReply* data = field_of(e->element[1], "data");
        if (data == nullptr || data->type != REDIS_REPLY_STRING) {
            // A pending entry deleted from the stream comes back with nil fields; an entry a
            // foreign producer wrote without "data" has no message for us.
            if (e->element[1]->type != REDIS_REPLY_NIL) {
                add("redis_bridge_malformed_total", 1);
                shared_.log.warn("redis-bridge: stream '", config_.stream, "' entry ", id,
                                 " has no \"data\" field: acknowledged and skipped");
            }
            skipped.push_back(std::move(id));
            continue;
        }
        if (!co_await out_.send(std::string(data->str, data->len)))
            throw weft::Error(WEFT_ERR_CLOSED, "channel '" + config_.channel + "' is closed");
        unacked_.push_back(std::move(id));
        ++in_channel_;
        ++n;
    }
    received_ += n;
    add("redis_bridge_received_total", n);
    if (source == Source::pending) {
        redelivered_ += n;
        add("redis_bridge_redelivered_total", n);
    } else if (source == Source::claimed) {
        claimed_ += n;
        add("redis_bridge_claimed_total", n);
    }
    if (!skipped.empty()) co_await ack(skipped.begin(), skipped.end());
    co_await ack_taken();
    co_return entries->elements;
}

// Entries sent into the channel, in order, are unacked_; in_channel_ counts them all. The channel
// is FIFO, so the receivers have taken the first (in_channel_ - queued) of them. Rounds are
// kAckRound apart; those taken already at the previous round are acknowledged: a receiver that
// takes a message and then writes it somewhere (the consumer example awaits its write before
// taking more) has had a round's time to finish with it. Other senders into the same channel make
// `queued` larger: acks come later, never early.
weft::Task<> Inbound::ack_taken() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_ack_) co_return;
    next_ack_ = now + kAckRound;
    const std::uint64_t queued = out_.info().queued;
    const std::uint64_t taken = in_channel_ - std::min<std::uint64_t>(queued, in_channel_);
    const std::uint64_t safe = std::min(taken_before_, taken);
    shared_.log.debug("ack round: in channel ", in_channel_, " queued ", queued, " taken ", taken,
                      " safe ", safe, " acked ", acked_);
    taken_before_ = taken;
    // unacked_.front() is entry number acked_ (counting from 0).
    if (safe > acked_) {
        const auto count = static_cast<std::ptrdiff_t>(safe - acked_);
        co_await ack(unacked_.begin(), unacked_.begin() + count);
        unacked_.erase(unacked_.begin(), unacked_.begin() + count);
        acked_ = safe;
    }
}

template <class It>
weft::Task<> Inbound::ack(It first, It last) {
    std::vector<std::string_view> args{"XACK", config_.stream, config_.group};
    for (It it = first; it != last; ++it) args.emplace_back(*it);
    Reply r = co_await conn_.command(args);
    if (r->type != REDIS_REPLY_INTEGER) unexpected("XACK", r.get());
    add("redis_bridge_acknowledged_total", static_cast<std::uint64_t>(r->integer));
}

weft::Task<> Inbound::claim() {
    const std::string idle = std::to_string(config_.claim_idle_ms);
    const std::string count = std::to_string(config_.batch);
    const std::array<std::string_view, 8> args{"XAUTOCLAIM",     config_.stream, config_.group,
                                               config_.consumer, idle,           claim_cursor_,
                                               "COUNT",          count};
    Reply r = co_await conn_.command(args);
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2) unexpected("XAUTOCLAIM", r.get());
    claim_cursor_ = std::string(text_of(r->element[0]));
    if (claim_cursor_.empty()) claim_cursor_ = "0-0";
    const std::size_t n = co_await deliver(r->element[1], Source::claimed);
    if (n != 0)
        shared_.log.info("redis-bridge: claimed ", n, " entries of stream '", config_.stream,
                         "' idle for ", config_.claim_idle_ms, " ms or more");
    // A cursor back at 0-0 means the scan is complete: the next one waits a while.
    if (claim_cursor_ == "0-0" || n == 0)
        next_claim_ =
            std::chrono::steady_clock::now() +
            std::chrono::milliseconds(std::max<std::int64_t>(config_.claim_idle_ms / 2, 1));
}

weft::Task<> Inbound::stats() {
    const std::array<std::string_view, 3> args{"XINFO", "GROUPS", config_.stream};
    Reply r = co_await conn_.command(args);
    next_stats_ = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(shared_.config.stats_interval_ms);
    if (r->type != REDIS_REPLY_ARRAY) co_return;  // the stream vanished: nothing to report
    for (std::size_t i = 0; i < r->elements; ++i) {
        const redisReply* g = r->element[i];
        const redisReply* name = field_of(g, "name");
        if (text_of(name) != config_.group) continue;
        if (const redisReply* p = field_of(g, "pending"); p && p->type == REDIS_REPLY_INTEGER)
            shared_.metrics.gauge_set("redis_bridge_pending",
                                      {{"direction", "inbound"},
                                       {"channel", config_.channel},
                                       {"stream", config_.stream},
                                       {"group", config_.group}},
                                      static_cast<double>(p->integer));
        // Redis 7 reports the lag (entries not yet delivered to the group); nil when it cannot
        // tell (after deletions), and then no figure is better than a wrong one.
        if (const redisReply* l = field_of(g, "lag"); l && l->type == REDIS_REPLY_INTEGER)
            shared_.metrics.gauge_set("redis_bridge_consumer_group_lag",
                                      {{"direction", "inbound"},
                                       {"channel", config_.channel},
                                       {"stream", config_.stream},
                                       {"group", config_.group}},
                                      static_cast<double>(l->integer));
    }
}

weft::Task<> Inbound::session() {
    // What the last session left unacknowledged is still pending in Redis: this session re-reads
    // it from ID 0 (and the channel may hold it twice: at least once).
    unacked_.clear();
    in_channel_ = acked_ = taken_before_ = 0;
    conn_ = co_await shared_.connect();
    if (ever_connected_) add("redis_bridge_reconnects_total", 1);
    ever_connected_ = true;
    {
        // "from": "start" (0): a group created after its producers started still gets what they
        // wrote before; "new" ($): only entries added from now on.
        const std::string_view from = config_.from_start ? "0" : "$";
        const std::array<std::string_view, 6> args{"XGROUP",      "CREATE", config_.stream,
                                                   config_.group, from,     "MKSTREAM"};
        Reply r = co_await conn_.command(args);
        if (r->type == REDIS_REPLY_ERROR &&
            std::string_view(r->str, r->len).find("BUSYGROUP") == std::string_view::npos)
            unexpected("XGROUP CREATE", r.get());
    }
    // Redis answered (a server that accepts and then stalls or talks nonsense has not): the
    // outage, if there was one, is over.
    if (down_) {
        shared_.log.info("redis-bridge: reading stream '", config_.stream, "' again");
        down_ = false;
    }
    const std::string count = std::to_string(config_.batch);
    const std::string block = std::to_string(config_.block_ms);
    // Own pending entries first, from the start ("0"), then new ones (">").
    std::string pending_from = "0";
    bool own_pending = true;
    while (!shared_.shutdown.is_requested()) {
        const auto now = std::chrono::steady_clock::now();
        if (!unacked_.empty()) co_await ack_taken();
        if (now >= next_stats_) co_await stats();
        if (!own_pending && now >= next_claim_) co_await claim();
        Reply r;
        if (own_pending) {
            const std::array<std::string_view, 9> args{
                "XREADGROUP", "GROUP",   config_.group,  config_.consumer, "COUNT",
                count,        "STREAMS", config_.stream, pending_from};
            r = co_await conn_.command(args);
        } else {
            const std::array<std::string_view, 11> args{"XREADGROUP",
                                                        "GROUP",
                                                        config_.group,
                                                        config_.consumer,
                                                        "COUNT",
                                                        count,
                                                        "BLOCK",
                                                        block,
                                                        "STREAMS",
                                                        config_.stream,
                                                        std::string_view(">")};
            r = co_await conn_.command(args, std::chrono::milliseconds(config_.block_ms));
        }
        if (r->type == REDIS_REPLY_NIL) {  // BLOCK timed out: acknowledge what was taken
            co_await ack_taken();
            continue;
        }
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) unexpected("XREADGROUP", r.get());
        const redisReply* stream = r->element[0];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2)
            unexpected("XREADGROUP", stream);
        const redisReply* entries = stream->element[1];
        if (own_pending) {
            if (entries->type != REDIS_REPLY_ARRAY || entries->elements == 0) {
                own_pending = false;
                continue;
            }
            // The next page starts after the last ID of this one.
            pending_from =
                std::string(text_of(entries->element[entries->elements - 1]->element[0]));
            co_await deliver(entries, Source::pending);
        } else {
            co_await deliver(entries, Source::fresh);
        }
    }
}

weft::Task<> Inbound::run() {
    if (config_.consumer.empty()) config_.consumer = default_consumer_name(shared_.instance);
    shared_.log.info("redis-bridge: stream '", config_.stream, "' group '", config_.group,
                     "' consumer '", config_.consumer, "' -> channel '", config_.channel, "'");
    Backoff backoff(shared_.config);
    while (!shared_.shutdown.is_requested()) {
        std::string failure;
        try {
            co_await session();
        } catch (const weft::NoReceiver&) {
            failure = "channel '" + config_.channel + "' has no receiver";
        } catch (const weft::Error& e) {
            failure = e.what();
        }
        conn_.close();
        if (failure.empty()) break;  // shutdown
        if (!down_)
            shared_.log.warn("redis-bridge: reading stream '", config_.stream, "' at ",
                             shared_.config.redis, ": ", failure, "; retrying with backoff");
        else
            shared_.log.debug("redis-bridge: stream '", config_.stream, "': ", failure);
        down_ = true;
        (void)co_await shared_.shutdown.run_until_cancelled(weft::sleep(backoff.next()));
        // A session that got going resets the backoff next time round.
        if (received_ != 0) backoff.reset();
    }
    out_.close();  // the channel's receivers see its end once every other sender is gone too
    shared_.log.info("redis-bridge: inbound stream '", config_.stream, "' -> '", config_.channel,
                     "': ", received_, " entries received (", redelivered_, " redelivered, ",
                     claimed_, " claimed)");
}

}  // namespace redis_bridge
