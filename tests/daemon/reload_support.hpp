// What the live-reload tests share: a weftd child with its admin socket in a temporary
// directory, its config file rewritten between reloads, and the admin endpoint's answers.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "host/admin/unix_http_client.hpp"

namespace weft::test::reload {

namespace fs = std::filesystem;
using nlohmann::json;

inline const std::string kWeftd = WEFTD_PATH;
inline const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;
inline const std::string kBadPlugins = WEFT_TEST_BAD_PLUGIN_DIR;

// Polls `condition` until it holds; false at the deadline.
template <class F>
bool eventually(F condition, std::chrono::steady_clock::duration deadline = kStartDeadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// Writes `text` to `file` atomically (a new file renamed over the old one), as editors and
// configuration managers do.
inline void replace_file(const fs::path& file, const std::string& text) {
    const fs::path tmp = file.string() + ".new";
    std::ofstream(tmp) << text;
    fs::rename(tmp, file);
}

// GET /status as JSON.
inline json admin_status(const fs::path& socket) {
    const auto fetched = host::admin::http_request_unix(socket, "GET", "/status");
    INFO(fetched.error);
    REQUIRE(fetched.reply);
    REQUIRE(fetched.reply->status == 200);
    return json::parse(fetched.reply->body);
}

// The plugin called `name` in /status, or null.
inline json plugin_in(const json& status, const std::string& name) {
    for (const auto& p : status.at("plugins"))
        if (p.at("name") == name) return p;
    return nullptr;
}

// `weftd reload --socket SOCKET`: its exit code (-1: it did not exit within 120 s), stdout and
// stderr. It asserts nothing: one test runs it on a thread of its own, and Catch2's assertions
// belong to the test's thread (ThreadSanitizer reports the race).
struct ReloadRun {
    int code = -1;
    std::string out, err;
};
inline ReloadRun weftd_reload(const fs::path& socket) {
    Child cli({kWeftd, "reload", "--socket", socket.string()});
    const auto code = cli.wait_exit(std::chrono::seconds(120));
    return {code.value_or(-1), cli.out(), cli.err()};
}

// A Unix datagram socket standing in for systemd's NOTIFY_SOCKET: what weftd tells systemd.
class NotifySocket {
   public:
    explicit NotifySocket(const fs::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;
    [[nodiscard]] std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }
    // Every message received so far, in order, appended to `messages`.
    void drain() {
        char buffer[4096];
        while (true) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) return;
            messages.emplace_back(buffer, static_cast<std::size_t>(n));
        }
    }
    std::vector<std::string> messages;

   private:
    fs::path path_;
    int fd_ = -1;
};

}  // namespace weft::test::reload
