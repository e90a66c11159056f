// The plugin of the abi_channel and abi_tcp_echo benchmarks, written with the C++ SDK as a plugin
// author would.
// Config: {"role": "send" | "recv" | "echo", "channel": "abi_bench", "capacity": 1024,
//          "count": N, "listen": "127.0.0.1:PORT"}
//   send: waits on Notify "abi_go", then sends 0..N-1 (uint64) on the channel.
//   recv: receives N messages, then notify_one "abi_done".
//   echo: listens on `listen` and echoes every connection (TCP_NODELAY, reads of up to 4 KiB,
//         each written back) until its peer closes, as tcp_echo's in-process server does.
#include <weft/plugin.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace {

class AbiBench : public weft::Plugin {
   public:
    explicit AbiBench(const weft::PluginContext& ctx)
        : Plugin(ctx),
          role_(config().value("role", "send")),
          channel_(config().value("channel", "abi_bench")),
          capacity_(config().value<std::uint32_t>("capacity", 1024)),
          count_(config().value<std::uint64_t>("count", 0)),
          listen_(config().value("listen", "127.0.0.1:0")) {}

    void start() override {
        if (role_ == "echo") {
            listener_ = weft::Listener::tcp(host(), listen_);
            spawn(accept_loop());
        } else if (role_ == "send") {
            tx_ = weft::Sender<std::uint64_t>(host(), channel_, weft::ChannelKind::mpsc, capacity_);
            spawn(send());
        } else {
            rx_ =
                weft::Receiver<std::uint64_t>(host(), channel_, weft::ChannelKind::mpsc, capacity_);
            spawn(recv());
        }
    }

   private:
    weft::Task<> accept_loop() {
        while (true) {
            auto next = co_await weft::first_of(shutdown().requested(), listener_.accept());
            if (next.index() == 0) co_return;  // shutting down
            weft::Stream conn = std::get<1>(std::move(next));
            conn.set_nodelay(true);
            spawn(echo(std::move(conn)));
        }
    }
    static weft::Task<> echo(weft::Stream s) {
        char buf[4096];
        while (std::size_t n = co_await s.read(buf, sizeof buf)) co_await s.write_all(buf, n);
    }
    weft::Task<> send() {
        weft::Notify go(host(), "abi_go");
        co_await go.notified();
        for (std::uint64_t i = 0; i < count_; ++i) {
            if (!co_await tx_.send(i)) break;
        }
    }
    weft::Task<> recv() {
        weft::Notify done(host(), "abi_done");
        std::uint64_t n = 0, sum = 0;
        while (n < count_) {
            auto v = co_await rx_.recv();
            if (!v) break;
            sum += *v;
            ++n;
        }
        if (sum != count_ * (count_ - 1) / 2) log().error("abi_bench: wrong sum ", sum);
        done.notify_one();
    }

    std::string role_;
    std::string channel_;
    std::uint32_t capacity_;
    std::uint64_t count_;
    std::string listen_;
    weft::Listener listener_;
    weft::Sender<std::uint64_t> tx_;
    weft::Receiver<std::uint64_t> rx_;
};

}  // namespace

WEFT_PLUGIN(AbiBench, "abi-bench", "1.0.0")
