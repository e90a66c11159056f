// tcp-ingest: newline-delimited records from any number of TCP clients into a named channel.
//
// Config: {"listen": "127.0.0.1:7400", "channel": "lines", "capacity": 1024,
//          "max_line": 65536, "max_connections": 256}
//
// One task accepts; each connection gets a task that reads into a buffer, cuts it at '\n' and
// sends each line (without its '\n'; a final line without one counts too) into the channel, in
// the order the client sent them. Sending waits while the channel is full, and a connection task
// that waits reads nothing more: the kernel's buffers fill and TCP slows the client down, so a
// slow consumer never makes tcp-ingest drop or buffer without bound. Limits are enforced with a
// log line, never a crash: a line longer than max_line closes its connection (a warning names the
// client); a connection beyond max_connections is closed at once (a warning, then one line per
// 1000 more). On shutdown it stops accepting and reading; lines already read are sent.
#include <weft/plugin.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace {

class TcpIngest : public weft::Plugin {
   public:
    explicit TcpIngest(const weft::PluginContext& ctx)
        : Plugin(ctx),
          listen_(config().value("listen", "127.0.0.1:7400")),
          channel_(config().value("channel", "lines")),
          capacity_(config().value<std::uint32_t>("capacity", 1024)),
          max_line_(config().value<std::uint64_t>("max_line", 65536)),
          max_connections_(config().value<std::uint64_t>("max_connections", 256)) {
        validate(config());
    }
    ~TcpIngest() override {
        log().info("tcp-ingest: stopped; ", lines_.load(), " lines from ", accepted_,
                   " connections (", refused_, " refused: over max_connections)");
    }

    static void validate(const weft::Json& config) {
        if (config.value("listen", "127.0.0.1:7400").find(':') == std::string::npos)
            throw weft::ConfigError("\"listen\" must be an address with a port");
        if (config.value("channel", "lines").empty())
            throw weft::ConfigError("\"channel\" must not be empty");
        const auto cap = config.value<std::int64_t>("capacity", 1024);
        if (cap < 1 || cap > 1'000'000)
            throw weft::ConfigError("\"capacity\" must be between 1 and 1000000");
        const auto line = config.value<std::int64_t>("max_line", 65536);
        if (line < 1 || line > (64 << 20))
            throw weft::ConfigError("\"max_line\" must be between 1 and 67108864");
        const auto conns = config.value<std::int64_t>("max_connections", 256);
        if (conns < 1 || conns > 100'000)
            throw weft::ConfigError("\"max_connections\" must be between 1 and 100000");
    }

    void start() override {
        out_ = weft::Sender<std::string>(host(), channel_, weft::ChannelKind::mpsc, capacity_);
        listener_ = weft::Listener::tcp(host(), listen_);
        log().info("tcp-ingest: listening on ", listener_.local_addr(), ", lines into '", channel_,
                   "'");
        spawn(accept_loop());
    }

   private:
    weft::Task<> accept_loop() {
        auto live = std::make_shared<std::atomic<std::uint64_t>>(0);
        while (true) {
            auto next = co_await shutdown().run_until_cancelled(listener_.accept());
            if (!next) break;
            weft::Stream s = std::move(*next);
            if (*live >= max_connections_) {
                if (refused_++ % 1000 == 0)
                    log().warn("tcp-ingest: ", max_connections_,
                               " connections already; closing the one from ", s.peer_addr(), " (",
                               refused_, " refused so far)");
                continue;  // `s` closes here
            }
            live->fetch_add(1);
            ++accepted_;
            spawn(read_lines(std::move(s), live));
        }
        listener_.close();
    }

    weft::Task<> read_lines(weft::Stream s, std::shared_ptr<std::atomic<std::uint64_t>> live) {
        const std::string peer = s.peer_addr();
        std::string buf;
        std::size_t scanned = 0;  // bytes of buf known to hold no '\n'
        char chunk[16384];
        while (true) {
            auto got = co_await shutdown().run_until_cancelled(s.read(chunk, sizeof chunk));
            if (!got) break;
            const std::size_t n = *got;
            if (n == 0) {
                if (!buf.empty()) co_await send(std::move(buf));
                break;
            }
            buf.append(chunk, n);
            std::size_t start = 0;
            for (std::size_t nl; (nl = buf.find('\n', scanned)) != std::string::npos;
                 scanned = start = nl + 1) {
                if (!co_await send(buf.substr(start, nl - start))) break;
            }
            buf.erase(0, start);
            scanned = buf.size();
            if (buf.size() > max_line_) {
                log().warn("tcp-ingest: a line from ", peer, " is longer than ", max_line_,
                           " bytes; closing the connection");
                break;
            }
        }
        live->fetch_sub(1);
    }

    weft::Task<bool> send(std::string line) {
        const bool ok = co_await out_.send(std::move(line));
        if (ok) ++lines_;
        co_return ok;
    }

    std::string listen_;
    std::string channel_;
    std::uint32_t capacity_;
    std::uint64_t max_line_;
    std::uint64_t max_connections_;
    weft::Sender<std::string> out_;
    weft::Listener listener_;
    std::uint64_t accepted_ = 0;           // the accepting task only
    std::uint64_t refused_ = 0;            // the accepting task only
    std::atomic<std::uint64_t> lines_{0};  // every connection's task
};

}  // namespace

WEFT_PLUGIN(TcpIngest, "tcp-ingest", "1.0.0")
