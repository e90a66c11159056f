// Logging to systemd's journal with priorities, as journald expects it.
//
// JournalSink sends each record natively (sd_journal_sendv): MESSAGE, PRIORITY (syslog levels:
// critical 2, error 3, warn 4, info 6, debug and trace 7), SYSLOG_IDENTIFIER=weftd, and the
// structured fields WEFT_PLUGIN= (the logger's name, for a plugin's logger), WEFT_TASK= and
// WEFT_JOB= (host/log/log_context.hpp), so `journalctl -p err` and `journalctl WEFT_PLUGIN=x`
// work. When the journal socket is missing, the record goes nowhere: callers check
// journal_available() first.
//
// priority_prefix() is the other way journald learns a line's priority: a line written to a
// stream journald reads that starts with "<N>" (sd-daemon(3)) is filed at priority N.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <string_view>

namespace weft::host {

// systemd's native journal socket.
inline constexpr std::string_view kJournalSocket = "/run/systemd/journal/socket";

// True when the journal's socket exists (journald runs).
[[nodiscard]] bool journal_available() noexcept;

// True when stderr is a stream to the journal: JOURNAL_STREAM ("<device>:<inode>", set by
// systemd for a service whose output goes to the journal) names the file stderr is. A variable
// inherited by a child whose stderr was redirected elsewhere does not match.
[[nodiscard]] bool stderr_is_journal(const char* journal_stream) noexcept;

// The syslog priority of an spdlog level (2 critical ... 7 debug and trace).
[[nodiscard]] int syslog_priority(spdlog::level::level_enum level) noexcept;

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    // `identifier` becomes SYSLOG_IDENTIFIER; `default_logger` is the logger whose records carry
    // no WEFT_PLUGIN= (weftd's own).
    JournalSink(std::string identifier, std::string default_logger);

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

   private:
    std::string identifier_;
    std::string default_logger_;
};

}  // namespace weft::host
