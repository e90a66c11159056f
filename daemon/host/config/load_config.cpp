// load_config() and parse_config(): file -> text -> JSON -> validated Config, collecting every
// error on the way and prefixing each with where it came from.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/config/config.hpp"
#include "host/config/env_overrides.hpp"
#include "host/config/error_count.hpp"
#include "host/config/json_text.hpp"
#include "host/config/schema.hpp"

namespace weft::host {
namespace {

// A config is a few kilobytes; the cap only stops `-c /dev/zero` from eating memory.
constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;

// Closes a file descriptor on scope exit.
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

// The whole file, or an error message naming the OS reason (no such file, permission denied, is
// a directory, ...). POSIX calls rather than iostreams, because only they report errno reliably.
std::string read_file(const std::filesystem::path& file, std::string& error) {
    const FdGuard guard{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (guard.fd < 0) {
        error = fmt::format("cannot open config file: {}", std::strerror(errno));
        return {};
    }
    struct stat info {};
    if (::fstat(guard.fd, &info) == 0 && S_ISDIR(info.st_mode)) {
        error = fmt::format("cannot read config file: {}", std::strerror(EISDIR));
        return {};
    }
    std::string text;
    char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(guard.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = fmt::format("cannot read config file: {}", std::strerror(errno));
            return {};
        }
        if (n == 0) return text;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxConfigBytes) {
            error = fmt::format("config file is larger than {} bytes", kMaxConfigBytes);
            return {};
        }
    }
}

void prefix_all(std::string_view origin, const Diagnostics& diag, std::vector<std::string>& out) {
    for (const std::string& message : diag.messages()) {
        out.push_back(fmt::format("{}: {}", origin, message));
    }
}

}  // namespace

ConfigResult parse_config(std::string_view text, std::string_view origin, const EnvLookup& env) {
    Diagnostics file_diag;
    Diagnostics env_diag;
    Config config;
    if (auto document = parse_json_text(text, file_diag)) {
        config = read_config_document(*document, file_diag);
    }
    apply_env_overrides(config, env, env_diag);

    ConfigResult result;
    prefix_all(origin, file_diag, result.errors);
    prefix_all("environment", env_diag, result.errors);
    const std::size_t unlisted = file_diag.unlisted() + env_diag.unlisted();
    if (unlisted > 0) result.errors.push_back(unlisted_errors_line(origin, unlisted));
    if (result.errors.empty()) result.config = std::move(config);
    return result;
}

ConfigResult load_config(const std::filesystem::path& file, const EnvLookup& env) {
    std::string error;
    const std::string text = read_file(file, error);
    if (!error.empty()) {
        ConfigResult result;
        result.errors.push_back(fmt::format("{}: {}", file.string(), error));
        return result;
    }
    return parse_config(text, file.string(), env);
}

}  // namespace weft::host
