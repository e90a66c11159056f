#include "host/log/poll_subject.hpp"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace weft::host {

std::string symbol_name(const void* code) {
    Dl_info info{};
    if (!code || ::dladdr(code, &info) == 0) return {};
    if (!info.dli_sname) {
        // Plugins export only their entry symbol: the file and the offset, for addr2line.
        if (!info.dli_fname) return {};
        const std::string file = info.dli_fname;
        char offset[32];
        std::snprintf(offset, sizeof offset, "+0x%zx",
                      static_cast<std::size_t>(static_cast<const char*>(code) -
                                               static_cast<const char*>(info.dli_fbase)));
        return file.substr(file.rfind('/') + 1) + offset;
    }
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> demangled(
        abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status), &std::free);
    return status == 0 && demangled ? std::string(demangled.get()) : std::string(info.dli_sname);
}

std::string describe_task(std::uint64_t task, const void* code, const char* job,
                          const std::string* name) {
    std::string out = "task #" + std::to_string(task);
    if (job) return out + " (job '" + job + "')";
    if (name && !name->empty()) return out + " '" + *name + "'";
    const std::string site = symbol_name(code);
    if (!site.empty()) out += " (spawned at " + site + ")";
    return out;
}

std::string describe_task(const PollSubject& subject) {
    return describe_task(subject.task, subject.code, subject.job.load(std::memory_order_relaxed),
                         subject.name);
}

}  // namespace weft::host
