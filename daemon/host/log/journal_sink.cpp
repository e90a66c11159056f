#include "host/log/journal_sink.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <vector>

#include "host/log/log_context.hpp"

namespace weft::host {

bool journal_available() noexcept {
    struct stat info {};
    const std::string path(kJournalSocket);
    return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

bool stderr_is_journal(const char* journal_stream) noexcept {
    if (journal_stream == nullptr) return false;
    const std::string_view text(journal_stream);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    const char* end = text.data() + text.size();
    const auto d = std::from_chars(text.data(), text.data() + colon, device);
    const auto i = std::from_chars(text.data() + colon + 1, end, inode);
    if (d.ec != std::errc{} || d.ptr != text.data() + colon || i.ec != std::errc{} || i.ptr != end)
        return false;
    struct stat info {};
    return ::fstat(STDERR_FILENO, &info) == 0 && info.st_dev == device && info.st_ino == inode;
}

int syslog_priority(spdlog::level::level_enum level) noexcept {
    switch (level) {
        case spdlog::level::critical:
            return 2;
        case spdlog::level::err:
            return 3;
        case spdlog::level::warn:
            return 4;
        case spdlog::level::info:
            return 6;
        default:
            return 7;
    }
}

JournalSink::JournalSink(std::string identifier, std::string default_logger)
    : identifier_(std::move(identifier)), default_logger_(std::move(default_logger)) {}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string_view text(formatted.data(), formatted.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);

    std::vector<std::string> fields;
    fields.reserve(6);
    fields.push_back(fmt::format("MESSAGE={}", text));
    fields.push_back(fmt::format("PRIORITY={}", syslog_priority(msg.level)));
    fields.push_back("SYSLOG_IDENTIFIER=" + identifier_);
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    if (logger != default_logger_) fields.push_back(fmt::format("WEFT_PLUGIN={}", logger));
    const LogContext& context = current_log_context();
    if (context.task != 0) fields.push_back(fmt::format("WEFT_TASK={}", context.task));
    if (context.job != nullptr) fields.push_back(fmt::format("WEFT_JOB={}", context.job));

    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (auto& f : fields) iov.push_back({f.data(), f.size()});
    // A failure (journald restarting) loses this one record; logging must never throw.
    (void)sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

}  // namespace weft::host
