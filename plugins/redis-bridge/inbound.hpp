// Inbound mapping: a Redis stream, read through a consumer group, into a local channel.
//
//   1. Connect; create the group if missing (XGROUP CREATE <stream> <group> 0 MKSTREAM: a new
//      group starts with every entry the stream holds, so what a producer added before any
//      consumer existed is not lost; with "from": "new", $: only entries added from then on).
//   2. Re-read this consumer's own pending entries first (XREADGROUP ... STREAMS <stream> 0):
//      what it had read but not acknowledged before a restart or a lost connection. They count
//      as redelivered.
//   3. Then new entries (XREADGROUP ... BLOCK <block_ms> STREAMS <stream> >), and every
//      claim_idle_ms / 2 the entries another consumer has held for claim_idle_ms or more
//      (XAUTOCLAIM <stream> <group> <consumer> <claim_idle_ms> <cursor>): a consumer that died
//      leaves nothing behind for long. They count as claimed.
//   4. Each entry's "data" field is sent into the local channel (waiting while it is full:
//      backpressure stops the reads). An entry is acknowledged (XACK) only after the channel
//      accepted it and, more than that, after its receiver took it out of the channel (at the
//      round after, see ack_taken): so a weftd killed with entries still in its channel gets
//      them again, from its pending list, when it restarts. An entry without a "data" field is
//      logged, counted as malformed and acknowledged (nobody could ever deliver it).
//
// On any failure it drops the connection and starts again at 1 after a backoff. On shutdown it
// stops reading; entries read but not yet acknowledged stay pending and come back at 2.
// Every stats_interval_ms it asks XINFO GROUPS for the group's pending count and lag.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "bridge_shared.hpp"

namespace redis_bridge {

class Inbound {
   public:
    Inbound(const BridgeShared& shared, InboundConfig config);
    ~Inbound();
    Inbound(const Inbound&) = delete;
    Inbound& operator=(const Inbound&) = delete;

    weft::Task<> run();

   private:
    static constexpr std::chrono::milliseconds kAckRound{100};
    enum class Source { pending, fresh, claimed };
    weft::Task<> session();  // one connection's life; throws when it breaks
    // Delivers the entries of `entries` (an array of [id, [field, value, ...]]) and acks them.
    // Returns how many there were.
    weft::Task<std::size_t> deliver(const redisReply* entries, Source source);
    weft::Task<> ack_taken();
    template <class It>
    weft::Task<> ack(It first, It last);
    weft::Task<> claim();
    weft::Task<> stats();
    void add(const char* metric, std::uint64_t n) const;

    const BridgeShared& shared_;
    InboundConfig config_;
    weft::Sender<std::string> out_;
    RespConnection conn_;
    std::string claim_cursor_ = "0-0";
    std::chrono::steady_clock::time_point next_claim_{};
    std::chrono::steady_clock::time_point next_stats_{};
    std::chrono::steady_clock::time_point next_ack_{};
    std::deque<std::string> unacked_;  // IDs sent into the channel, not yet acknowledged
    std::uint64_t in_channel_ = 0;     // entries this session sent into the channel
    std::uint64_t acked_ = 0;          // of those, how many were acknowledged
    std::uint64_t taken_before_ = 0;   // how many the receivers had taken at the last round
    bool ever_connected_ = false;
    bool down_ = false;  // in an outage (logged once)
    std::uint64_t received_ = 0;
    std::uint64_t redelivered_ = 0;
    std::uint64_t claimed_ = 0;
};

}  // namespace redis_bridge
