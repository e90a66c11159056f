#include "host/crash/crash_record.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace weft::host {
namespace {

namespace fs = std::filesystem;

struct Event {
    std::int64_t at = 0;
    bool crash = false;
    std::string name;
    std::string key;
};

std::vector<Event> parse(std::string_view text) {
    std::vector<Event> events;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Event e;
        std::string kind;
        if (!(fields >> e.at >> kind >> e.name)) continue;  // a torn or foreign line: ignored
        if (kind == "crash") {
            e.crash = true;
            if (!(fields >> e.key)) continue;
        } else if (kind != "release") {
            continue;
        }
        events.push_back(std::move(e));
    }
    return events;
}

std::int64_t window_seconds(const Config& config) {
    return static_cast<std::int64_t>(config.crash_loop.window_minutes) * 60;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string errno_text(int error) { return std::system_category().message(error); }

bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::string crash_config_key(const PluginConfig& plugin) {
    // FNV-1a, 64 bits: stable across runs and builds, which std::hash is not.
    std::uint64_t h = 14695981039346656037ULL;
    auto mix = [&h](std::string_view text) {
        for (const unsigned char c : text) {
            h ^= c;
            h *= 1099511628211ULL;
        }
    };
    mix(plugin.path);
    mix(std::string_view("\n", 1));
    mix(plugin.config.dump());
    return fmt::format("{:016x}", h);
}

fs::path resolve_state_directory(const Config& config, const EnvLookup& env) {
    if (config.crash_loop.state_directory) return *config.crash_loop.state_directory;
    if (auto dirs = env("STATE_DIRECTORY"); dirs && !dirs->empty())
        return dirs->substr(0, dirs->find(':'));  // systemd lists one path per StateDirectory=
    return kDefaultStateDirectory;
}

std::map<std::string, QuarantineEntry, std::less<>> quarantined_plugins(std::string_view text,
                                                                        const Config& config,
                                                                        std::int64_t now_unix) {
    std::map<std::string, QuarantineEntry, std::less<>> out;
    if (config.crash_loop.max_crashes == 0) return out;
    const auto events = parse(text);
    const std::int64_t since = now_unix - window_seconds(config);
    for (const PluginConfig& plugin : config.plugins) {
        const std::string key = crash_config_key(plugin);
        QuarantineEntry entry;
        for (const Event& e : events) {  // in file order: a release counts earlier crashes out
            if (e.name != plugin.name) continue;
            if (!e.crash) {
                entry = {};
            } else if (e.key == key && e.at >= since) {
                ++entry.crashes;
                entry.last_crash_unix = e.at;
            }
        }
        if (entry.crashes >= config.crash_loop.max_crashes) out.emplace(plugin.name, entry);
    }
    return out;
}

std::optional<CrashRecord> CrashRecord::open(const fs::path& directory, const Config& config,
                                             std::int64_t now_unix, std::string& error) {
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) {
        error = fmt::format("{}: cannot create the state directory: {}", directory.string(),
                            ec.message());
        return std::nullopt;
    }
    const fs::path path = directory / kCrashRecordFile;
    std::string text = read_file(path);
    // Keep what may still count (and every release, which is small): the file stays bounded.
    const std::int64_t since = now_unix - window_seconds(config);
    std::string kept;
    for (const Event& e : parse(text)) {
        if (e.crash && e.at < since) continue;
        kept += e.crash ? fmt::format("{} crash {} {}\n", e.at, e.name, e.key)
                        : fmt::format("{} release {}\n", e.at, e.name);
    }
    if (kept != text) {
        const fs::path temp = directory / (std::string(kCrashRecordFile) + ".new");
        const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || !write_all(out, kept) || ::fsync(out) != 0) {
            error = fmt::format("{}: cannot write: {}", temp.string(), errno_text(errno));
            if (out >= 0) ::close(out);
            return std::nullopt;
        }
        ::close(out);
        fs::rename(temp, path, ec);
        if (ec) {
            error = fmt::format("{}: cannot replace: {}", path.string(), ec.message());
            return std::nullopt;
        }
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = fmt::format("{}: cannot open for appending: {}", path.string(), errno_text(errno));
        return std::nullopt;
    }
    return CrashRecord(path, fd, std::move(kept));
}

CrashRecord::CrashRecord(CrashRecord&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      text_(std::move(other.text_)) {}

CrashRecord& CrashRecord::operator=(CrashRecord&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        text_ = std::move(other.text_);
    }
    return *this;
}

CrashRecord::~CrashRecord() {
    if (fd_ >= 0) ::close(fd_);
}

bool release_plugin(const fs::path& directory, std::string_view name, std::int64_t now_unix,
                    std::string& error) {
    const fs::path path = directory / kCrashRecordFile;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = fmt::format("{}: cannot open: {}", path.string(), errno_text(errno));
        return false;
    }
    const bool ok = write_all(fd, fmt::format("{} release {}\n", now_unix, name));
    const int saved = errno;
    ::close(fd);
    if (!ok) error = fmt::format("{}: cannot write: {}", path.string(), errno_text(saved));
    return ok;
}

std::int64_t unix_now() noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace weft::host
