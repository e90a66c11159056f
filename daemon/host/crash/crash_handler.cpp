#include "host/crash/crash_handler.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "host/crash/crash_site.hpp"

namespace weft::host {
namespace {

constexpr std::array<int, 5> kFatalSignals{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

std::atomic<int> g_record_fd{-1};

// A line built without allocating: appends are cut at the buffer's end.
class Line {
   public:
    void add(const char* text) noexcept {
        if (text == nullptr) return;
        while (*text != '\0' && size_ < buffer_.size()) buffer_[size_++] = *text++;
    }
    void add_decimal(std::uint64_t value) noexcept {
        std::array<char, 24> digits{};
        std::size_t n = 0;
        do {
            digits[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (n > 0 && size_ < buffer_.size()) buffer_[size_++] = digits[--n];
    }
    void add_hex(std::uintptr_t value) noexcept {
        add("0x");
        std::array<char, 2 * sizeof value> digits{};
        std::size_t n = 0;
        do {
            digits[n++] = "0123456789abcdef"[value & 0xF];
            value >>= 4;
        } while (value != 0);
        while (n > 0 && size_ < buffer_.size()) buffer_[size_++] = digits[--n];
    }
    void write_to(int fd) const noexcept {
        std::size_t done = 0;
        while (done < size_) {
            const ssize_t n = ::write(fd, buffer_.data() + done, size_ - done);
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }

   private:
    std::array<char, 512> buffer_{};
    std::size_t size_ = 0;
};

const char* signal_text(int signum) noexcept {
    switch (signum) {
        case SIGSEGV:
            return "SIGSEGV";
        case SIGBUS:
            return "SIGBUS";
        case SIGILL:
            return "SIGILL";
        case SIGFPE:
            return "SIGFPE";
        case SIGABRT:
            return "SIGABRT";
        default:
            return "a fatal signal";
    }
}

void on_fatal_signal(int signum, siginfo_t* info, void*) {
    const CrashSite site = current_crash_site();
    Line line;
    line.add("weftd: fatal signal ");
    line.add(signal_text(signum));
    if (signum != SIGABRT && info != nullptr) {
        line.add(" (address ");
        line.add_hex(reinterpret_cast<std::uintptr_t>(info->si_addr));
        line.add(")");
    }
    if (site.plugin != nullptr) {
        line.add(" in plugin '");
        line.add(site.plugin->name.data());
        line.add("' (");
        line.add(site.activity);
        if (site.detail != nullptr) {
            line.add(" '");
            line.add(site.detail);
            line.add("'");
        }
        const auto code = reinterpret_cast<std::uintptr_t>(site.code);
        if (code != 0 && site.plugin->library_base != 0 && code >= site.plugin->library_base) {
            line.add(", code at ");
            line.add(site.plugin->library.data());
            line.add("+");
            line.add_hex(code - site.plugin->library_base);
        }
        line.add("), thread ");
    } else {
        line.add(" on thread ");
    }
    line.add_decimal(static_cast<std::uint64_t>(::syscall(SYS_gettid)));
    if (site.plugin == nullptr) line.add(", outside plugin code");
    const int fd = g_record_fd.load(std::memory_order_relaxed);
    if (site.plugin != nullptr && fd >= 0) line.add("; recorded for crash-loop protection");
    line.add("\n");
    line.write_to(STDERR_FILENO);

    if (site.plugin != nullptr && fd >= 0) {
        timespec now{};
        ::clock_gettime(CLOCK_REALTIME, &now);
        Line record;  // one write(2) of one line: O_APPEND keeps it whole
        record.add_decimal(static_cast<std::uint64_t>(now.tv_sec));
        record.add(" crash ");
        record.add(site.plugin->name.data());
        record.add(" ");
        record.add(site.plugin->config_hash.data());
        record.add("\n");
        record.write_to(fd);
        ::fdatasync(fd);
    }

    // The default action, at once: the signal is unblocked and sent to this thread again, so the
    // process dies of it here (core dump, exit status 128 + signum) rather than when the handler
    // returns and the faulting instruction runs again; that second fault is one more event that
    // a virtualised or traced environment may handle its own way, while the other threads go on.
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    ::sigaction(signum, &fallback, nullptr);
    sigset_t only{};
    sigemptyset(&only);
    sigaddset(&only, signum);
    ::pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    ::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), signum);
    // Not reached unless the signal was intercepted (a tracer): still end with the status a shell
    // reports for the signal.
    ::_exit(128 + signum);
}

}  // namespace

void install_crash_handler(int record_fd) noexcept {
    g_record_fd.store(record_fd, std::memory_order_relaxed);
    ensure_alternate_signal_stack();
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (const int signum : kFatalSignals) ::sigaction(signum, &action, nullptr);
}

}  // namespace weft::host
