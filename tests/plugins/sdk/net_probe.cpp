// A plugin written with the C++ SDK that uses the network section of the ABI (1.2) and logs what
// it sees, for net_test.cpp: a TCP echo server and clients, a read bounded by weft::timeout, an
// accept raced with a sleep by weft::first_of, a refused connect, UDP datagrams, a Unix-domain
// stream and name resolution. The listener is made in start() (a hook, not a task).
#include <weft/plugin.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

namespace {

weft::Task<> echo(weft::Stream s) {
    char buf[256];
    while (true) {
        const std::size_t n = co_await s.read(buf, sizeof buf);
        if (n == 0) co_return;
        co_await s.write_all(buf, n);
    }
}

weft::Task<> serve(weft::Listener& l, int connections, bool tcp) {
    for (int i = 0; i < connections; ++i) {
        weft::Stream s = co_await l.accept();
        if (tcp) s.set_nodelay(true);  // a Unix stream has no TCP_NODELAY
        weft::spawn(echo(std::move(s))).detach();
    }
}

class NetProbe : public weft::Plugin {
   public:
    explicit NetProbe(const weft::PluginContext& ctx)
        : Plugin(ctx), unix_path_(config().value("unix_path", "")) {}

    void start() override {
        listener_ = weft::Listener::tcp(host(), "127.0.0.1:0");
        log().info("net: listening on ", listener_.local_addr());
        spawn(run());
    }

   private:
    weft::Task<> run() {
        const std::string addr = listener_.local_addr();
        auto server = weft::spawn(serve(listener_, 3, true));

        // 1. echo through the ABI, both directions
        weft::Stream c = co_await weft::Stream::connect(addr, 5s);
        c.set_nodelay(true);
        co_await c.write_all(std::string("hello through the abi"));
        std::string back(21, '\0');
        co_await c.read_exact(back.data(), back.size());
        log().info("net: echoed '", back, "' from ", c.peer_addr());

        // 2. a read bounded by a timeout loses nothing: the echo of a later write arrives whole
        char buf[64];
        auto none = co_await weft::timeout(30ms, c.read(buf, sizeof buf));
        log().info("net: read timed out ", none ? "no" : "yes");
        co_await c.write_all(std::string("after"));
        std::string after(5, '\0');
        co_await c.read_exact(after.data(), after.size());
        log().info("net: then read '", after, "'");

        // 3. half-close: the server's echo task sees the end and closes; we read 0
        c.shutdown();
        const std::size_t end = co_await c.read(buf, sizeof buf);
        log().info("net: end of stream gives ", end);

        // 4. many clients at once (the server accepts the other two)
        auto a = weft::spawn(client(addr, "alpha"));
        auto b = weft::spawn(client(addr, "beta"));
        co_await a;
        co_await b;
        co_await server;

        // 5. first_of: an accept nobody answers loses to a sleep
        auto raced = co_await weft::first_of(listener_.accept(), weft::sleep(20ms));
        log().info("net: first_of winner ", raced.index());

        // 6. a refused connect says where
        {
            weft::Listener gone = weft::Listener::tcp(host(), "127.0.0.1:0");
            const std::string dead = gone.local_addr();
            gone.close();
            try {
                auto refused = weft::Stream::connect(dead);
                weft::Stream s = co_await refused;
                log().info("net: connected to a closed port?");
            } catch (const weft::Error& e) {
                log().info("net: refused status ", weft_status_str(e.status()), ": ", e.what());
            }
        }

        // 7. UDP
        weft::UdpSocket u1 = weft::UdpSocket::bind(host(), "127.0.0.1:0");
        weft::UdpSocket u2 = weft::UdpSocket::bind(host(), "127.0.0.1:0");
        co_await u1.send_to("datagram", 8, u2.local_addr());
        weft::Datagram d = co_await u2.recv_from(buf, sizeof buf);
        log().info("net: udp '", std::string(buf, d.len), "' from sender ",
                   d.from == u1.local_addr() ? "u1" : d.from);

        // 8. Unix-domain stream
        if (!unix_path_.empty()) {
            weft::Listener ul = weft::Listener::unix_socket(host(), unix_path_);
            auto userver = weft::spawn(serve(ul, 1, false));
            weft::Stream us = co_await weft::Stream::connect_unix(unix_path_);
            co_await us.write_all(std::string("unix"));
            std::string ub(4, '\0');
            co_await us.read_exact(ub.data(), ub.size());
            log().info("net: unix echoed '", ub, "'");
            co_await userver;
        }

        // 9. name resolution, and a connect by name
        auto names = co_await weft::resolve("localhost:" + addr.substr(addr.rfind(':') + 1));
        log().info("net: localhost resolves to ", names.size() > 0 ? "some" : "no", " address");
        log().info("net: done");
    }

    weft::Task<> client(std::string addr, std::string word) {
        weft::Stream s = co_await weft::Stream::connect(addr);
        co_await s.write_all(word);
        std::string back(word.size(), '\0');
        co_await s.read_exact(back.data(), back.size());
        log().info("net: client ", word, back == word ? " ok" : " wrong");
    }

    std::string unix_path_;
    weft::Listener listener_;
};

}  // namespace

WEFT_PLUGIN(NetProbe, "net-probe", "1.0.0")
