// weft::Host and weft::Logger: a plugin instance's handle to the host, and its logger.
//
// Host is a pair (function table, instance handle): cheap to copy, valid from init until the
// instance is destroyed. Logger writes through the host, which tags every line with the plugin's
// name: `log.info("sent ", n, " records")` joins its arguments with operator<<.
//
// Thread-safety: both may be used from any thread.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "weft/plugin.h"

namespace weft {
inline namespace sdk {

enum class LogLevel {
    trace = WEFT_LOG_TRACE,
    debug = WEFT_LOG_DEBUG,
    info = WEFT_LOG_INFO,
    warn = WEFT_LOG_WARN,
    error = WEFT_LOG_ERROR,
    critical = WEFT_LOG_CRITICAL
};

class Logger {
   public:
    Logger() noexcept = default;
    explicit Logger(weft_host* host) noexcept : host_(host) {}

    [[nodiscard]] bool enabled(LogLevel level) const noexcept {
        return host_ && weft_log_enabled(host_, static_cast<weft_log_level>(level)) != 0;
    }
    void write(LogLevel level, std::string_view text) const noexcept {
        if (host_) weft_log_n(host_, static_cast<weft_log_level>(level), text.data(), text.size());
    }
    template <class... Args>
    void log(LogLevel level, const Args&... args) const noexcept {
        if (!enabled(level)) return;
        try {
            std::ostringstream line;
            (line << ... << args);
            write(level, line.str());
        } catch (...) {  // formatting a log line never fails the caller
        }
    }
    template <class... Args>
    void trace(const Args&... args) const noexcept {
        log(LogLevel::trace, args...);
    }
    template <class... Args>
    void debug(const Args&... args) const noexcept {
        log(LogLevel::debug, args...);
    }
    template <class... Args>
    void info(const Args&... args) const noexcept {
        log(LogLevel::info, args...);
    }
    template <class... Args>
    void warn(const Args&... args) const noexcept {
        log(LogLevel::warn, args...);
    }
    template <class... Args>
    void error(const Args&... args) const noexcept {
        log(LogLevel::error, args...);
    }
    template <class... Args>
    void critical(const Args&... args) const noexcept {
        log(LogLevel::critical, args...);
    }

   private:
    weft_host* host_ = nullptr;
};

class Host {
   public:
    Host() noexcept = default;
    Host(const weft_host_api* api, weft_host* host) noexcept : api_(api), host_(host) {}

    [[nodiscard]] const weft_host_api* api() const noexcept { return api_; }
    [[nodiscard]] weft_host* raw() const noexcept { return host_; }
    [[nodiscard]] explicit operator bool() const noexcept { return host_ != nullptr; }
    // The instance's name in weftd.json.
    [[nodiscard]] std::string name() const { return weft_host_name(host_); }
    [[nodiscard]] Logger log() const noexcept { return Logger(host_); }
    [[nodiscard]] weft_metrics metrics() const noexcept {
        weft_metrics m{};
        m.size = sizeof m;
        weft_metrics_read(host_, &m);
        return m;
    }

   private:
    const weft_host_api* api_ = nullptr;
    weft_host* host_ = nullptr;
};

}  // namespace sdk
}  // namespace weft
