// tcp-forward: the messages of a named channel, one line each, to a TCP peer that may come and go.
//
// Config: {"channel": "forward", "peer": "127.0.0.1:7500", "capacity": 1024,
//          "backoff_ms": 100, "max_backoff_ms": 5000, "connect_timeout_ms": 2000}
//
// One task receives a message, then writes it (followed by '\n') to the peer, connecting first
// if needed. Delivery is at least once: a message is held until write_all succeeded, and when
// the write fails (the peer went away) the task reconnects, with a backoff that doubles from
// backoff_ms up to max_backoff_ms, and writes the held message again; so a message the kernel
// accepted just before the connection broke may reach the peer twice, but none is lost. While it
// is disconnected it receives nothing more, so the channel fills and its senders wait
// (backpressure). On shutdown it drains the channel to the peer while the peer is reachable.
//
// A peer that closed the connection (or reset it) while the forwarder was idle is noticed before
// the next message is written, not by the write: the kernel would take that write into the
// broken connection's buffer and report success, and the message would be gone. So before each
// write the task looks for the peer's end of stream with a read that is dropped at once if
// nothing is there (read is cancel-safe). The peer is not expected to send anything; what it
// sends is discarded.
// With "pool": "NAME" (a tcp pool of the config's `pools` section) the connection comes from
// that pool instead: the operator sizes and times it there (connect_timeout_ms, backoff, warm
// connections), "peer" and "connect_timeout_ms" are ignored, and a connection whose write failed
// is discarded (never handed out again) rather than closed.
#include <weft/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace {

class TcpForward : public weft::Plugin {
   public:
    explicit TcpForward(const weft::PluginContext& ctx)
        : Plugin(ctx),
          channel_(config().value("channel", "forward")),
          peer_(config().value("peer", "127.0.0.1:7500")),
          capacity_(config().value<std::uint32_t>("capacity", 1024)),
          backoff_(config().value<std::int64_t>("backoff_ms", 100)),
          max_backoff_(config().value<std::int64_t>("max_backoff_ms", 5000)),
          connect_timeout_(config().value<std::int64_t>("connect_timeout_ms", 2000)),
          pool_name_(config().value("pool", "")) {
        validate(config());
    }
    ~TcpForward() override {
        log().info("tcp-forward: stopped; ", sent_, " messages written to ",
                   pool_name_.empty() ? peer_ : "pool '" + pool_name_ + "'", " (", connections_,
                   " connections)");
    }

    static void validate(const weft::Json& config) {
        if (config.value("peer", "127.0.0.1:7500").find(':') == std::string::npos)
            throw weft::ConfigError("\"peer\" must be host:port");
        if (config.value("channel", "forward").empty())
            throw weft::ConfigError("\"channel\" must not be empty");
        const auto cap = config.value<std::int64_t>("capacity", 1024);
        if (cap < 1 || cap > 1'000'000)
            throw weft::ConfigError("\"capacity\" must be between 1 and 1000000");
        const auto b = config.value<std::int64_t>("backoff_ms", 100);
        const auto m = config.value<std::int64_t>("max_backoff_ms", 5000);
        if (b < 1 || m < b || m > 3'600'000)
            throw weft::ConfigError(
                "\"backoff_ms\" must be at least 1 and at most \"max_backoff_ms\" (1 hour at "
                "most)");
        const auto t = config.value<std::int64_t>("connect_timeout_ms", 2000);
        if (t < 1 || t > 3'600'000)
            throw weft::ConfigError("\"connect_timeout_ms\" must be between 1 and 3600000");
    }

    void start() override {
        in_ = weft::Receiver<std::string>(host(), channel_, weft::ChannelKind::mpsc, capacity_);
        if (!pool_name_.empty()) {
            pool_ = weft::Pool(host(), pool_name_);
            spawn(run_pooled());
            log().info("tcp-forward: '", channel_, "' to pool '", pool_name_, "'");
            return;
        }
        spawn(run());
        log().info("tcp-forward: '", channel_, "' to ", peer_);
    }

   private:
    // Connects, retrying with backoff until it works or shutdown's grace period cancels us.
    weft::Task<weft::Stream> connect() {
        auto wait = std::chrono::milliseconds(backoff_);
        while (true) {
            try {
                auto c = weft::Stream::connect(peer_, std::chrono::milliseconds(connect_timeout_));
                weft::Stream s = co_await c;
                s.set_nodelay(true);
                log().info("tcp-forward: connected to ", peer_);
                co_return s;
            } catch (const weft::Error& e) {
                // The first failure in a row is a warning; the retries that follow, debug lines.
                if (wait.count() == backoff_)
                    log().warn("tcp-forward: ", e.what(), "; retrying with backoff");
                else
                    log().debug("tcp-forward: ", e.what(), "; retrying in ", wait.count(), " ms");
            }
            co_await weft::sleep(wait);
            wait = std::min(wait * 2, std::chrono::milliseconds(max_backoff_));
        }
    }

    // True when the peer closed or reset the connection, as far as can be told now. `Conn` is a
    // weft::Stream or a weft::PooledConn.
    template <class Conn>
    static weft::Task<bool> peer_gone(Conn& s) {
        char discard[256];
        try {
            while (true) {
                auto n = co_await weft::timeout(std::chrono::milliseconds(0),
                                                s.read(discard, sizeof discard));
                if (!n) co_return false;      // nothing to read: the connection is up
                if (*n == 0) co_return true;  // the peer's end of stream
            }
        } catch (const weft::Error&) {
            co_return true;  // reset, or another error of the connection
        }
    }

    weft::Task<> run() {
        weft::Stream s;
        while (auto msg = co_await in_.recv()) {
            std::string line = std::move(*msg);
            line += '\n';
            while (true) {  // until this message was written
                if (s.valid() && co_await peer_gone(s)) {
                    log().warn("tcp-forward: ", peer_, " closed the connection; reconnecting");
                    s.close();
                }
                if (!s.valid()) {
                    s = co_await connect();
                    ++connections_;
                }
                try {
                    co_await s.write_all(line);
                    ++sent_;
                    break;
                } catch (const weft::Error& e) {
                    log().warn("tcp-forward: ", e.what(), "; reconnecting");
                    s.close();
                }
            }
        }
        log().info("tcp-forward: channel '", channel_, "' closed");
    }

    // As run(), with the connection acquired from the pool and given back when the channel closes.
    weft::Task<> run_pooled() {
        weft::PooledConn conn;
        while (auto msg = co_await in_.recv()) {
            std::string line = std::move(*msg);
            line += '\n';
            auto wait = std::chrono::milliseconds(backoff_);
            while (true) {  // until this message was written
                try {
                    if (conn && co_await peer_gone(conn)) {
                        log().warn("tcp-forward: the peer closed the connection; discarding it");
                        conn.mark_broken();
                        conn.release();
                    }
                    if (!conn) {
                        conn = co_await pool_.acquire();
                        ++connections_;
                    }
                    co_await conn.write_all(line);
                    ++sent_;
                    break;
                } catch (const weft::Error& e) {
                    log().warn("tcp-forward: ", e.what(), "; retrying");
                    conn.mark_broken();
                    conn.release();
                }
                co_await weft::sleep(wait);
                wait = std::min(wait * 2, std::chrono::milliseconds(max_backoff_));
            }
        }
        log().info("tcp-forward: channel '", channel_, "' closed");
    }

    std::string channel_;
    std::string peer_;
    std::uint32_t capacity_;
    std::int64_t backoff_;
    std::int64_t max_backoff_;
    std::int64_t connect_timeout_;
    std::string pool_name_;
    weft::Pool pool_;
    weft::Receiver<std::string> in_;
    std::uint64_t sent_ = 0;         // the forwarding task only
    std::uint64_t connections_ = 0;  // the forwarding task only
};

}  // namespace

WEFT_PLUGIN(TcpForward, "tcp-forward", "1.0.0")
