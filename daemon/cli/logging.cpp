#include "cli/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

#include "host/log/journal_sink.hpp"

namespace weft::cli {
namespace {

spdlog::level::level_enum to_spdlog(host::LogLevel level) {
    switch (level) {
        case host::LogLevel::trace:
            return spdlog::level::trace;
        case host::LogLevel::debug:
            return spdlog::level::debug;
        case host::LogLevel::info:
            return spdlog::level::info;
        case host::LogLevel::warn:
            return spdlog::level::warn;
        case host::LogLevel::error:
            return spdlog::level::err;
        case host::LogLevel::critical:
            return spdlog::level::critical;
        case host::LogLevel::off:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

// `%*` in the JSON pattern: the message as a JSON string body (quotes, backslashes and control
// characters escaped), so that any message yields a valid line.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
   public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        for (char c : msg.payload) {
            switch (c) {
                case '"':
                    dest.append(std::string_view("\\\""));
                    break;
                case '\\':
                    dest.append(std::string_view("\\\\"));
                    break;
                case '\n':
                    dest.append(std::string_view("\\n"));
                    break;
                case '\r':
                    dest.append(std::string_view("\\r"));
                    break;
                case '\t':
                    dest.append(std::string_view("\\t"));
                    break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<int>(c));
                    } else {
                        dest.push_back(c);
                    }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

// `%<` in a pattern: the sd-daemon priority prefix "<N>" (host/log/journal_sink.hpp).
class PriorityPrefix final : public spdlog::custom_flag_formatter {
   public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        fmt::format_to(std::back_inserter(dest), "<{}>", host::syslog_priority(msg.level));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<PriorityPrefix>();
    }
};

// Where records go, from the config and from what the process was started with.
enum class Destination {
    stderr_lines,     // text or JSON lines on stderr
    journal,          // the journal, natively
    prefixed_stderr,  // stderr is read by journald but its socket is missing: "<N>" lines
};

std::unique_ptr<spdlog::formatter> make_formatter(const host::LogConfig& config,
                                                  Destination destination) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (destination == Destination::journal) {
        // journald stamps time and priority itself; keep the tag that says which plugin wrote.
        formatter->set_pattern("[%n] %v");
    } else if (destination == Destination::prefixed_stderr) {
        formatter->add_flag<PriorityPrefix>('<').set_pattern(
            config.format == host::LogFormat::json ? "%<[%n] %v" : "%<%l [%n] %v");
    } else if (config.format == host::LogFormat::json) {
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","message":"%*"})");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
    }
    return formatter;
}

}  // namespace

namespace {

// Every logger (weftd's and each plugin's clone of it) writes to this one sink, whose child a
// reload may replace: so a new target or format reaches the plugins' loggers too.
std::shared_ptr<spdlog::sinks::dist_sink_mt> the_sink;

// Points the shared sink at the config's destination and format; returns whether "journald" was
// asked for without a journal (stderr used instead).
bool point_sink(const host::LogConfig& config) {
    // getenv is safe here: nothing in weftd calls setenv.
    const bool under_journal = host::stderr_is_journal(std::getenv("JOURNAL_STREAM"));
    const bool journal_up = host::journal_available();
    Destination destination = Destination::stderr_lines;
    bool fell_back = false;
    if (config.target == host::LogTarget::journald || under_journal) {
        if (journal_up) {
            destination = Destination::journal;
        } else if (under_journal) {
            destination = Destination::prefixed_stderr;
        } else {
            fell_back = true;  // "journald" asked for, nothing to send to: stderr, said once
        }
    }
    spdlog::sink_ptr sink;
    if (destination == Destination::journal) {
        sink = std::make_shared<host::JournalSink>("weftd", "weftd");
    } else {
        sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    }
    sink->set_formatter(make_formatter(config, destination));
    the_sink->set_sinks({std::move(sink)});
    return fell_back;
}

void warn_fallback() {
    spdlog::warn(
        "log.target is \"journald\" but the journal's socket {} is missing: logging "
        "to stderr",
        host::kJournalSocket);
}

}  // namespace

void configure_logging(const host::LogConfig& config) {
    the_sink = std::make_shared<spdlog::sinks::dist_sink_mt>();
    const bool fell_back = point_sink(config);
    auto logger = std::make_shared<spdlog::logger>("weftd", the_sink);
    logger->set_level(to_spdlog(config.level));
    // Warnings and errors must reach the log even if the process dies right after.
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    if (fell_back) warn_fallback();
}

void reconfigure_logging(const host::LogConfig& config, const host::Coordinator& plugins) {
    if (the_sink && point_sink(config)) warn_fallback();
    set_log_level(config.level, plugins);
}

void set_log_level(host::LogLevel level, const host::Coordinator& plugins) {
    spdlog::default_logger()->set_level(to_spdlog(level));
    plugins.set_log_level(to_spdlog(level));
}

}  // namespace weft::cli
