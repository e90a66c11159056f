// producer: sends numbered records into a named, bounded mpsc channel.
//
// Config: {"channel": "records", "capacity": 64, "rate_hz": 100, "count": 0}
//   rate_hz  records per second; 0 sends as fast as the channel accepts them
//   count    stop after this many; 0 runs until shutdown
//
// A full channel makes send() wait (backpressure): the producer never outruns its consumer by
// more than the channel's capacity. On shutdown it stops at once (a send still waiting for room
// is abandoned: that record was never accepted); its destructor logs how many records the channel
// accepted, the number the consumer's file must end with.
#include <weft/plugin.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "record.hpp"

namespace {

using weft_example::Record;

class Producer : public weft::Plugin {
   public:
    explicit Producer(const weft::PluginContext& ctx)
        : Plugin(ctx),
          channel_(config().value("channel", "records")),
          capacity_(config().value<std::uint32_t>("capacity", 64)),
          rate_hz_(config().value<double>("rate_hz", 100)),
          count_(config().value<std::uint64_t>("count", 0)) {
        validate(config());
    }
    ~Producer() override { log().info("producer: stopped; sent ", sent_, " records in total"); }

    // check-config compares this with the config's `channels`: a channel declared with another
    // kind or capacity is reported before weftd runs.
    static weft::Manifest manifest() {
        return weft::Manifest().tasks({}).channel(
            weft::ChannelDecl::sends("records", weft::ChannelKind::mpsc, 64)
                .name_from("/channel")
                .capacity_from("/capacity"));
    }

    static void validate(const weft::Json& config) {
        const auto capacity = config.value<std::int64_t>("capacity", 64);
        if (capacity < 1 || capacity > 1'000'000)
            throw weft::ConfigError("\"capacity\" must be between 1 and 1000000");
        const auto rate = config.value<double>("rate_hz", 100);
        if (!(rate >= 0 && rate <= 1'000'000))
            throw weft::ConfigError("\"rate_hz\" must be between 0 and 1000000");
        (void)config.value<std::uint64_t>("count", 0);
        (void)config.value("channel", "records");
    }

    void start() override {
        // Opened here, not in the task: a channel of another kind or capacity fails start.
        out_ = weft::Sender<Record>(host(), channel_, weft::ChannelKind::mpsc, capacity_);
        spawn(run());
        log().info("producer: sending to '", channel_, "' at ",
                   rate_hz_ > 0 ? std::to_string(rate_hz_) + " Hz" : "full speed");
    }

   private:
    weft::Task<> run() {
        // One record per tick, on a fixed schedule (a late tick is made up at once: burst).
        std::optional<weft::Interval> pace;
        if (rate_hz_ > 0)
            pace = weft::interval(std::chrono::duration_cast<weft::Clock::duration>(
                std::chrono::duration<double>(1.0 / rate_hz_)));
        while (count_ == 0 || sent_ < count_) {
            if (pace && !co_await shutdown().run_until_cancelled(pace->tick())) break;
            const Record record{sent_ + 1, static_cast<std::uint64_t>(
                                               weft::Clock::now().time_since_epoch().count())};
            // A send waiting for room gives way to the shutdown: a send cancelled that way was
            // not accepted, so the record simply was not sent (the next run starts again at 1).
            auto sent = co_await shutdown().run_until_cancelled(out_.send(record));
            if (!sent) break;
            if (!*sent) {
                log().warn("producer: channel '", channel_, "' closed");
                break;
            }
            ++sent_;
        }
        out_.close();  // the consumer sees the channel close once it has read everything
        log().info("producer: done after ", sent_, " records");
    }

    std::string channel_;
    std::uint32_t capacity_;
    double rate_hz_;
    std::uint64_t count_;
    weft::Sender<Record> out_;
    std::uint64_t sent_ = 0;  // written by the task only; read by the destructor after it
};

}  // namespace

WEFT_PLUGIN(Producer, "producer", "1.0.0")
