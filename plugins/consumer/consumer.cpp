// consumer: appends every record of a named channel to a file, in order, through the blocking
// pool.
//
// Config: {"channel": "records", "path": "records.log", "batch": 256, "truncate": false,
//          "format": "records"}
//   format  "records": the channel carries the producer's numbered records, each written as
//           "record <seq>"; "lines": it carries text (tcp-ingest's lines), each written as is,
//           followed by a newline
//   path  a relative path is under $STATE_DIRECTORY (systemd's StateDirectory=, /var/lib/weft for
//         weftd.service), else under the temporary directory ($TMPDIR or /tmp)
//   truncate  start from an empty file (each run's records then start at 1) instead of appending
//
// One task receives, batches what is already there (up to `batch`), and hands each batch to
// spawn_blocking, awaiting the write before receiving more: the file is written in channel order
// and the runtime's workers never block on the disk. It runs until the channel closes, which on
// shutdown happens once the producers stopped and everything they sent was read: so the file
// ends with the last record sent. Each line is "record <seq>".
//
// A live reload that changes only `batch` is applied at once (the reconfigure hook); any other
// change is refused there, so weftd restarts the consumer, the channel keeping what was sent
// meanwhile.
#include <weft/plugin.hpp>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "record.hpp"

namespace {

using weft_example::Record;
using File = std::shared_ptr<std::FILE>;

class Consumer : public weft::Plugin {
   public:
    explicit Consumer(const weft::PluginContext& ctx)
        : Plugin(ctx),
          channel_(config().value("channel", "records")),
          path_(resolve(config().value("path", "records.log"))),
          batch_(config().value<std::uint32_t>("batch", 256)),
          truncate_(config().value("truncate", false)),
          lines_(config().value("format", "records") == "lines") {
        validate(config());
    }
    ~Consumer() override {
        log().info("consumer: stopped; wrote ", written_, " records to ", path_, " (last #", last_,
                   ")");
    }

    // It receives from whatever the channel was declared as (ChannelKind::any).
    static weft::Manifest manifest() {
        return weft::Manifest().tasks({}).channel(
            weft::ChannelDecl::receives("records", weft::ChannelKind::any).name_from("/channel"));
    }

    static void validate(const weft::Json& config) {
        if (config.value("path", "records.log").empty())
            throw weft::ConfigError("\"path\" must not be empty");
        const auto batch = config.value<std::int64_t>("batch", 256);
        if (batch < 1 || batch > 1'000'000)
            throw weft::ConfigError("\"batch\" must be between 1 and 1000000");
        (void)config.value("channel", "records");
        (void)config.value("truncate", false);
        const std::string format = config.value("format", "records");
        if (format != "records" && format != "lines")
            throw weft::ConfigError("\"format\" must be \"records\" or \"lines\", got \"" + format +
                                    "\"");
    }

    // Only the batch size changes live; a new file, channel or format needs a new instance.
    void reconfigure(const weft::Json& next) {
        validate(next);
        if (next.value("channel", "records") != channel_ ||
            resolve(next.value("path", "records.log")) != path_ ||
            next.value("truncate", false) != truncate_ ||
            (next.value("format", "records") == "lines") != lines_)
            throw weft::Error(WEFT_ERR_UNSUPPORTED,
                              "only \"batch\" changes live; \"channel\", \"path\", "
                              "\"truncate\" and \"format\" need a restart");
        const auto batch = next.value<std::uint32_t>("batch", 256);
        batch_.store(batch, std::memory_order_relaxed);
        log().info("consumer: batches of up to ", batch, " records from now on");
    }

    void start() override {
        // Hooks run on the daemon's main thread, where opening a file may block.
        std::FILE* f = std::fopen(path_.c_str(), truncate_ ? "w" : "a");
        if (!f)
            throw weft::Error(WEFT_ERR_PLUGIN,
                              "cannot open " + path_ + " for appending: " + std::strerror(errno));
        file_ = File(f, [](std::FILE* p) { std::fclose(p); });
        if (lines_) {
            text_in_ = weft::Receiver<std::string>(host(), channel_);
            spawn(run_lines());
        } else {
            in_ = weft::Receiver<Record>(host(), channel_);
            spawn(run());
        }
        log().info("consumer: appending '", channel_, "' to ", path_);
    }

   private:
    static std::string resolve(const std::string& path) {
        if (path.empty() || path.front() == '/') return path;
        const char* dir = std::getenv("STATE_DIRECTORY");  // may list several, ':'-separated
        std::string base = dir && *dir ? std::string(dir) : std::string();
        if (const auto colon = base.find(':'); colon != std::string::npos) base.resize(colon);
        if (base.empty()) {
            const char* tmp = std::getenv("TMPDIR");
            base = tmp && *tmp ? tmp : "/tmp";
        }
        return base + "/" + path;
    }

    // Writes one batch on a blocking-pool thread. The job owns what it touches (the batch, a
    // reference to the file): if the task is cancelled meanwhile, the job still ends safely.
    static bool write_batch(const File& file, const std::string& text) {
        if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()) return false;
        return std::fflush(file.get()) == 0;
    }

    void append(std::string& text, const Record& r) {
        if (last_ != 0 && r.seq != last_ + 1)
            log().error("consumer: gap: record #", r.seq, " after #", last_);
        last_ = r.seq;
        text += "record " + std::to_string(r.seq) + "\n";
    }

    // Drains `in` until the channel closes: each batch is the first message awaited and up to
    // batch_ - 1 more already there, appended to one text by `add` and written in one job.
    // `what` names the records in the closing log line.
    template <typename T, typename Add>
    weft::Task<> drain(weft::Receiver<T>& in, Add add, const char* what) {
        while (auto first = co_await in.recv()) {
            std::string text;
            add(text, *first);
            std::uint64_t n = 1;
            const std::uint32_t batch = batch_.load(std::memory_order_relaxed);
            for (; n < batch; ++n) {
                auto more = in.try_recv();
                if (!more) break;
                add(text, *more);
            }
            // Named first: GCC 12 mishandles a temporary with a destructor (this closure) inside
            // a co_await expression.
            auto write = weft::spawn_blocking(
                [file = file_, text = std::move(text)] { return write_batch(file, text); });
            const bool ok = co_await write;
            if (!ok) {
                log().error("consumer: writing ", path_, " failed: ", std::strerror(errno));
                co_return;
            }
            written_ += n;
        }
        log().info("consumer: channel '", channel_, "' closed; wrote ", written_, " ", what);
    }

    weft::Task<> run() {
        return drain(
            in_, [this](std::string& text, const Record& r) { append(text, r); }, "records");
    }

    // The "lines" format: each text message is one line.
    weft::Task<> run_lines() {
        return drain(
            text_in_,
            [](std::string& text, const std::string& line) {
                text += line;
                text += '\n';
            },
            "lines");
    }

    std::string channel_;
    std::string path_;
    std::atomic<std::uint32_t> batch_;  // reconfigure may change it while the task reads it
    bool truncate_;
    bool lines_;
    File file_;
    weft::Receiver<Record> in_;
    weft::Receiver<std::string> text_in_;
    std::uint64_t written_ = 0;
    std::uint64_t last_ = 0;
};

}  // namespace

WEFT_PLUGIN(Consumer, "consumer", "1.0.0")
