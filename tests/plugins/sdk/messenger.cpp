// A test plugin for cross-plugin messaging through the registry. Config:
//   {"mode": "send", "channel": C, "kind": K, "capacity": N, "count": M}
//       sends the numbers 1..M (uint64) on C, logs "sent M", then ends (closing its sender).
//   {"mode": "recv", "channel": C, "kind": K, "capacity": N, "count": M}
//       receives until the channel closes; logs "received M in order" once it has 1..M in
//       order, then "closed after M" (or "out of order" / "lagged N").
//   {"mode": "count", "channel": C}  receives until closed; logs "counted N summing S".
//   {"mode": "ping", "rounds": R}  notify_one "ping", wait "pong", R times; logs "rounds R".
//   {"mode": "pong"}               wait "ping", notify_one "pong", until shutdown.
//   {"mode": "notifier", "notify": A, "ack": B, "count": M}
//       notify_one A then wait for B, M times (drives notify-c); logs "notified M".
//   {"mode": "open", "channel": C, "kind": K, "capacity": N}
//       opens C and logs the outcome ("open ok" or "open failed: <message>").
//   {"mode": "busy", "channel": C}  two tasks receive from one mpsc: logs what the second gets.
//   {"mode": "semaphore", "name": S, "permits": P}  acquire/try/release; logs the counts.
//   {"mode": "hold", "channel": C, "count": M} sends M and keeps its sender until shutdown.
//   {"mode": "spin", "channel": C}  sends on a broadcast channel in a loop until shutdown.
//   {"mode": "lonely", "channel": C}  opens a receiver of mpsc C and closes it, then logs what
//       try_send ("try_send no_receiver") and an awaited send ("send threw NoReceiver") give.
#include <weft/plugin.hpp>

#include <cstdint>
#include <string>

namespace {

weft::ChannelKind kind_of(const std::string& k) {
    if (k == "mpsc") return weft::ChannelKind::mpsc;
    if (k == "mpmc") return weft::ChannelKind::mpmc;
    if (k == "broadcast") return weft::ChannelKind::broadcast;
    if (k == "watch") return weft::ChannelKind::watch;
    return weft::ChannelKind::any;
}

class Messenger : public weft::Plugin {
   public:
    explicit Messenger(const weft::PluginContext& ctx)
        : Plugin(ctx),
          mode_(config().value("mode", "")),
          channel_(config().value("channel", "numbers")),
          kind_(kind_of(config().value("kind", "any"))),
          capacity_(config().value<std::uint32_t>("capacity", 0)),
          count_(config().value<std::uint64_t>("count", 0)) {
        // Opened at init, before any plugin starts: a broadcast receiver then sees every message
        // a plugin sends once started.
        if (mode_ == "recv" || mode_ == "count")
            rx_ = weft::Receiver<std::uint64_t>(host(), channel_, kind_, capacity_);
    }

    void start() override {
        if (mode_ == "send")
            spawn(send());
        else if (mode_ == "recv")
            spawn(recv());
        else if (mode_ == "count")
            spawn(count());
        else if (mode_ == "ping")
            spawn(ping());
        else if (mode_ == "pong")
            spawn(pong());
        else if (mode_ == "notifier")
            spawn(notifier());
        else if (mode_ == "open")
            open();
        else if (mode_ == "busy")
            spawn(busy());
        else if (mode_ == "semaphore")
            spawn(semaphore());
        else if (mode_ == "hold")
            spawn(hold());
        else if (mode_ == "spin")
            spawn(spin());
        else if (mode_ == "lonely")
            spawn(lonely());
        else
            throw weft::ConfigError("unknown mode " + mode_);
    }

   private:
    weft::Task<> send() {
        weft::Sender<std::uint64_t> tx(host(), channel_, kind_, capacity_);
        std::uint64_t sent = 0;
        for (std::uint64_t i = 1; i <= count_; ++i) {
            if (!co_await tx.send(i)) break;
            ++sent;
        }
        log().info("messenger: sent ", sent);
    }

    weft::Task<> hold() {
        weft::Sender<std::uint64_t> tx(host(), channel_, kind_, capacity_);
        for (std::uint64_t i = 1; i <= count_; ++i) (void)co_await tx.send(i);
        log().info("messenger: holding after ", count_);
        co_await shutdown().requested();
    }

    // Sends on a broadcast channel (never waits) until shutdown: without the coop budget across
    // the ABI this loop would never give its thread back.
    weft::Task<> lonely() {
        weft::Sender<std::uint64_t> tx(host(), channel_, weft::ChannelKind::mpsc, 4);
        weft::Receiver<std::uint64_t>(host(), channel_).close();
        if (tx.try_send(1) == weft::TrySend::no_receiver) log().info("try_send no_receiver");
        try {
            co_await tx.send(2);
            log().info("send accepted");
        } catch (const weft::NoReceiver&) {
            log().info("send threw NoReceiver");
        }
    }

    weft::Task<> spin() {
        weft::Sender<std::uint64_t> tx(host(), channel_, weft::ChannelKind::broadcast, 16);
        std::uint64_t n = 0;
        while (!shutdown().is_requested()) (void)co_await tx.send(n++);
        log().info("messenger: spun ", n, " sends");
    }

    weft::Task<> recv() {
        // A watch shows the latest value only: values must increase, not follow each other.
        const bool latest_only = rx_.info().kind == WEFT_CHANNEL_WATCH;
        log().info("messenger: receiving");
        std::uint64_t last = 0;
        bool in_order = true;
        while (true) {
            std::optional<std::uint64_t> v;
            try {
                v = co_await rx_.recv();
            } catch (const weft::Lagged& lag) {
                log().info("messenger: lagged ", lag.skipped());
                in_order = false;
                continue;
            }
            if (!v) break;
            const bool ok = latest_only ? *v > last : *v == last + 1;
            if (!ok && in_order) {
                log().error("messenger: out of order: got ", *v, " after ", last);
                in_order = false;
            }
            last = *v;
            if (in_order && *v == count_) log().info("messenger: received ", count_, " in order");
        }
        log().info("messenger: closed after ", last);
    }

    weft::Task<> count() {
        std::uint64_t n = 0, sum = 0;
        while (auto v = co_await rx_.recv()) {
            ++n;
            sum += *v;
        }
        log().info("messenger: counted ", n, " summing ", sum);
    }

    weft::Task<> ping() {
        weft::Notify ping(host(), "ping");
        weft::Notify pong(host(), "pong");
        const auto rounds = config().value<std::uint64_t>("rounds", 1);
        for (std::uint64_t i = 0; i < rounds; ++i) {
            ping.notify_one();
            co_await pong.notified();
        }
        log().info("messenger: rounds ", rounds);
    }

    weft::Task<> pong() {
        weft::Notify ping(host(), "ping");
        weft::Notify pong(host(), "pong");
        std::uint64_t rounds = 0;
        while (true) {
            auto r = co_await weft::first_of(shutdown().requested(), ping.notified());
            if (r.index() == 0) break;
            pong.notify_one();
            ++rounds;
        }
        log().info("messenger: ponged ", rounds);
    }

    weft::Task<> notifier() {
        weft::Notify wake(host(), config().value("notify", "tick"));
        weft::Notify ack(host(), config().value("ack", "tock"));
        for (std::uint64_t i = 0; i < count_; ++i) {
            wake.notify_one();
            co_await ack.notified();
        }
        log().info("messenger: notified ", count_);
    }

    void open() {
        try {
            weft::Receiver<std::uint64_t> rx(host(), channel_, kind_, capacity_);
            log().info("messenger: open ok");
        } catch (const weft::Error& e) {
            log().info("messenger: open failed: ", e.what());
        }
    }

    weft::Task<> busy() {
        weft::Receiver<std::uint64_t> first(host(), channel_, weft::ChannelKind::mpsc, 4);
        weft::Receiver<std::uint64_t> second(host(), channel_, weft::ChannelKind::mpsc, 4);
        auto pending = first.recv();
        auto waiting = weft::spawn(wait_on(std::move(pending)));
        // Once the spawned task waits in recv, a second receiving task is refused. It may not
        // have been polled yet (another worker stole it and was descheduled, say): ask again for
        // up to 5 s; a host that lets the second one in says so every time.
        std::string refused;
        for (int attempt = 0; attempt < 5000 && refused.empty(); ++attempt) {
            if (attempt == 0)
                co_await weft::yield_now();
            else
                co_await weft::sleep(std::chrono::milliseconds(1));
            try {
                (void)second.try_recv();
            } catch (const weft::Error& e) {
                refused = weft_status_str(e.status());
            }
        }
        if (refused.empty())
            log().info("messenger: second receiver was allowed");
        else
            log().info("messenger: second receiver: ", refused);
        waiting.abort();
        // `first` is closed when this returns: wait until the aborted task is gone, since it may
        // be inside a poll of `first` on another worker right now (ThreadSanitizer saw that).
        try {
            co_await std::move(waiting);
        } catch (const weft::Error&) {  // cancelled, as asked
        }
    }
    static weft::Task<> wait_on(weft::Receiver<std::uint64_t>::Recv recv) {
        (void)co_await std::move(recv);
    }

    weft::Task<> semaphore() {
        const auto permits = config().value<std::uint32_t>("permits", 2);
        weft::Semaphore sem(host(), config().value("name", "s"), permits);
        {
            auto all = co_await sem.acquire(permits);
            auto none = sem.try_acquire(1);
            log().info("messenger: holding ", all.count(), ", try got ", none.count(),
                       ", available ", sem.available());
        }
        log().info("messenger: released, available ", sem.available());
    }

    std::string mode_;
    weft::Receiver<std::uint64_t> rx_;
    std::string channel_;
    weft::ChannelKind kind_;
    std::uint32_t capacity_;
    std::uint64_t count_;
};

}  // namespace

WEFT_PLUGIN(Messenger, "messenger", "0.1.0")
