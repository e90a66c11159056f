#include "host/crash/crash_site.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>

namespace weft::host {
namespace {

// initial-exec: a static TLS slot, read without any call into the dynamic loader, which is what
// makes reading it from a signal handler safe.
thread_local CrashSite t_site __attribute__((tls_model("initial-exec")));

// The thread's alternate signal stack; disabled before it is freed when the thread ends.
class AlternateStack {
   public:
    AlternateStack() noexcept {
        stack_t current{};
        if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0)
            return;  // the thread already has one (someone else's): keep it
        constexpr std::size_t kSize = 64 * 1024;  // above SIGSTKSZ; the handler formats on it
        try {
            memory_ = std::make_unique_for_overwrite<char[]>(kSize);
        } catch (const std::bad_alloc&) {
            return;  // no report for a stack overflow on this thread, nothing worse
        }
        stack_t stack{};
        stack.ss_sp = memory_.get();
        stack.ss_size = kSize;
        if (::sigaltstack(&stack, nullptr) != 0) memory_.reset();
    }
    ~AlternateStack() {
        if (!memory_) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        ::sigaltstack(&off, nullptr);
    }
    AlternateStack(const AlternateStack&) = delete;
    AlternateStack& operator=(const AlternateStack&) = delete;

   private:
    std::unique_ptr<char[]> memory_;
};

void copy_into(std::array<char, 96>& out, std::string_view text) noexcept {
    const std::size_t n = std::min(text.size(), out.size() - 1);
    std::copy_n(text.data(), n, out.data());
    out[n] = '\0';
}

}  // namespace

void CrashIdentity::set(std::string_view plugin_name, std::string_view library_file,
                        std::uintptr_t base, std::string_view hash) noexcept {
    copy_into(name, plugin_name);
    copy_into(library, library_file);
    library_base = base;
    const std::size_t n = std::min(hash.size(), config_hash.size() - 1);
    std::copy_n(hash.data(), n, config_hash.data());
    config_hash[n] = '\0';
}

CrashScope::CrashScope(const CrashIdentity& plugin, const char* activity, const void* code,
                       const char* detail) noexcept
    : previous_(t_site) {
    ensure_alternate_signal_stack();
    t_site = CrashSite{&plugin, activity, code, detail};
}

CrashScope::~CrashScope() { t_site = previous_; }

CrashSite current_crash_site() noexcept { return t_site; }

void ensure_alternate_signal_stack() noexcept {
    thread_local AlternateStack stack;
    static_cast<void>(stack);
}

}  // namespace weft::host
