// Outbound mapping: a local channel's messages into a Redis stream, each as one XADD
// ("XADD <stream> [MAXLEN ~ <maxlen>] * data <message bytes>").
//
// Custody. The task takes up to `batch` messages from the channel into `held_`, pipelines their
// XADDs, and drops a message from `held_` only when Redis answered its XADD with an entry ID.
// While Redis is unreachable it keeps `held_`, receives nothing more (so the bounded channel
// fills and its producers wait: backpressure), and retries with backoff, logging once per outage
// with the number of messages waiting (held plus queued in the channel).
//
// Shutdown. When the shutdown token fires the task keeps sending while Redis answers, until the
// channel is empty; whatever is then left (held, and still queued in the channel) is written to
// the spool file, whose messages are the first sent at the next start. The spool is also written
// when the task was cancelled (the grace period ran out) by finish(), called at destruction.
//
// At least once: a message whose XADD reached Redis but whose reply was lost (the connection
// broke) is sent again, so a stream may hold it twice; none is lost.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "bridge_shared.hpp"
#include "spool.hpp"

namespace redis_bridge {

class Outbound {
   public:
    Outbound(const BridgeShared& shared, OutboundConfig config, Spool spool);
    ~Outbound();
    Outbound(const Outbound&) = delete;
    Outbound& operator=(const Outbound&) = delete;

    // The mapping's task; runs until the channel closes or the shutdown drained it.
    weft::Task<> run();

    // Spools whatever was not acknowledged (once; later calls do nothing).
    void finish() noexcept;

   private:
    weft::Task<bool> send_held();  // true when every message sent was acknowledged
    void add(const char* metric, std::uint64_t n) const;
    void note_outage(const std::string& why);

    const BridgeShared& shared_;
    OutboundConfig config_;
    Spool spool_;
    weft::Receiver<std::string> in_;
    RespConnection conn_;
    std::deque<std::string> held_;
    std::size_t from_spool_ = 0;  // how many of held_'s first messages came from the spool file
    bool down_ = false;           // in an outage (logged once)
    bool finished_ = false;
    bool ever_connected_ = false;
    std::chrono::steady_clock::time_point down_since_{};
    std::uint64_t acknowledged_ = 0;
};

}  // namespace redis_bridge
