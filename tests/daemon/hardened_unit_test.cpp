// weftd under the kernel-enforced settings of its systemd unit: the unit restricts syscalls
// (SystemCallFilter) and socket families (RestrictAddressFamilies), and plugins must still be able
// to listen, resolve a name and connect. systemd need not be PID 1 where tests run, so the test
// reads those settings from systemd/weftd.service, expands the syscall groups with
// `systemd-analyze syscall-filter`, and has weft-seccomp-launcher load the same filter before it
// executes weftd.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "sanitizers.hpp"
#include "support/loopback.hpp"

using namespace weft::test;

namespace {

const std::string kWeftd = WEFTD_PATH;
const std::string kLauncher = WEFT_SECCOMP_LAUNCHER;
const std::string kPlugins = WEFT_TEST_PLUGIN_DIR;
const fs::path kUnit = fs::path(WEFT_SOURCE_DIR) / "systemd" / "weftd.service";

// The value of `Key=` in the unit (the last one wins, as in systemd); empty if absent.
std::string unit_setting(const std::string& key) {
    std::istringstream in(read_text(kUnit));
    std::string line, value;
    while (std::getline(in, line))
        if (line.starts_with(key + "=")) value = line.substr(key.size() + 1);
    return value;
}

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// What `systemd-analyze syscall-filter GROUP` lists, with the groups in it expanded.
void expand_group(const std::string& group, std::set<std::string>& seen,
                  std::set<std::string>& calls) {
    if (!seen.insert(group).second) return;
    const std::string command = "systemd-analyze syscall-filter '" + group + "' 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    REQUIRE(pipe);
    char buf[256];
    bool header = true;
    while (std::fgets(buf, sizeof buf, pipe.get())) {
        const auto w = words(buf);
        const std::string line = w.empty() ? "" : w.front();
        if (header) {  // the first line names the group itself
            header = false;
            continue;
        }
        if (line.empty() || line.starts_with("#")) continue;
        if (line.starts_with("@"))
            expand_group(line, seen, calls);
        else
            calls.insert(line);
    }
}

// A TCP peer on 127.0.0.1 that accepts one connection and keeps what it reads.
class LinePeer {
   public:
    LinePeer()
        : reader_([this] {
              const int conn = ::accept(listener_.fd(), nullptr, nullptr);
              if (conn < 0) return;
              char buf[4096];
              for (ssize_t n; (n = ::read(conn, buf, sizeof buf)) > 0;) text_.append(buf, n);
              ::close(conn);
          }) {}
    ~LinePeer() {
        ::shutdown(listener_.fd(), SHUT_RDWR);  // ends an accept still waiting (a failed test)
        if (reader_.joinable()) reader_.join();
    }
    LinePeer(const LinePeer&) = delete;
    LinePeer& operator=(const LinePeer&) = delete;

    [[nodiscard]] int port() const { return listener_.port(); }
    // Waits until the connection is closed; then text() is all it carried.
    void join() { reader_.join(); }
    [[nodiscard]] const std::string& text() const { return text_; }

   private:
    LoopbackListener listener_;
    std::string text_;
    std::thread reader_;  // last: starts once the listener and text_ exist
};

// Sends `text` to 127.0.0.1:port and closes the connection after the server's end of stream.
void send_lines(int port, const std::string& text) {
    const int fd = connect_loopback(port);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::shutdown(fd, SHUT_WR);
    char byte;
    (void)::read(fd, &byte, 1);  // the server closes once it has read everything
    ::close(fd);
}

}  // namespace

TEST_CASE(
    "weftd under its unit's syscall filter and address families: plugins listen, resolve "
    "a name and connect") {
    if (weft::test::kAddressSanitizer || weft::test::kThreadSanitizer) {
        WARN(
            "skipped: a sanitizer's runtime makes syscalls the unit's filter refuses "
            "(LeakSanitizer's exit check)");
        return;
    }
    // The unit's settings, as systemd would apply them.
    const auto groups = words(unit_setting("SystemCallFilter"));
    const auto families = words(unit_setting("RestrictAddressFamilies"));
    REQUIRE(!groups.empty());
    REQUIRE(!families.empty());
    REQUIRE(unit_setting("SystemCallErrorNumber") == "EPERM");
    REQUIRE(unit_setting("NoNewPrivileges") == "yes");
    std::set<std::string> seen, calls;
    for (const auto& g : groups) {
        if (g.starts_with("@"))
            expand_group(g, seen, calls);
        else
            calls.insert(g);
    }
    INFO("systemd-analyze (package systemd) expands the unit's syscall groups");
    REQUIRE(calls.count("epoll_wait") == 1);
    TempDir dir;
    std::string call_list, family_list;
    for (const auto& c : calls) call_list += c + "\n";
    for (const auto& f : families) family_list += (family_list.empty() ? "" : ",") + f;
    const fs::path syscalls = dir.write("syscalls", call_list);

    // The filter bites: a family outside the list is refused, an allowed one is not.
    Child check({kLauncher, syscalls.string(), family_list, "--check"});
    const auto checked = check.wait_exit();
    REQUIRE(checked.has_value());
    if (*checked == 77) {
        WARN("skipped: this machine cannot load a seccomp filter: " << check.err());
        return;
    }
    INFO(check.out() << check.err());
    REQUIRE(*checked == 0);

    // tcp-ingest listens and reads lines into a channel; tcp-forward writes them to a peer it
    // finds by name (localhost), so listen, accept, name resolution and connect all run.
    LinePeer peer;
    const fs::path config = dir.write("weftd.json", R"({
        "channels": {"forward": {"kind": "mpsc", "capacity": 1024}},
        "plugins": [
          {"name": "tcp-ingest", "path": ")" + kPlugins +
                                                        R"(/tcp-ingest.so",
           "config": {"listen": "127.0.0.1:0", "channel": "forward"}},
          {"name": "tcp-forward", "path": ")" + kPlugins +
                                                        R"(/tcp-forward.so",
           "config": {"channel": "forward", "peer": "localhost:)" +
                                                        std::to_string(peer.port()) + R"("}}]})");
    Child weftd(
        {kLauncher, syscalls.string(), family_list, "--", kWeftd, "run", "-c", config.string()});
    if (!wait_for_text(weftd.stderr_file(), "tcp-ingest: listening on")) FAIL(weftd.err());
    const int port = ingest_port(weftd.err());

    std::string lines;
    constexpr int kLines = 200;
    for (int i = 0; i < kLines; ++i) lines += "line-" + std::to_string(i) + "\n";
    send_lines(port, lines);
    if (!wait_for_text(weftd.stderr_file(), "tcp-forward: connected to localhost:"))
        FAIL(weftd.err());
    weftd.send(SIGINT);
    const auto code = weftd.wait_exit();
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    peer.join();
    INFO(weftd.err());
    CHECK(peer.text() == lines);  // every line, once, in order
    CHECK(weftd.err().find("channel 'forward': 200 messages accepted, 200 delivered") !=
          std::string::npos);
    CHECK(weftd.err().find(" error [") == std::string::npos);  // no line logged at error level
}
