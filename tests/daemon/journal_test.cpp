// weftd under systemd's journal: the real binary, its stderr and, for the native path, a
// datagram socket standing in for journald's. Each case runs weftd in a private mount namespace
// (unshare) with an empty /run, so whether a journal socket exists is the test's choice, not the
// machine's; JOURNAL_STREAM is set as systemd sets it, to the device and inode of weftd's stderr.
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "child_process.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kWeftd = WEFTD_PATH;

// weftd run -c CONFIG with an empty /run; with `journal_dir`, that folder is journald's
// (/run/systemd/journal); with `under_systemd`, JOURNAL_STREAM names weftd's stderr.
std::unique_ptr<Child> run_isolated(const fs::path& config, bool under_systemd,
                                    const fs::path& journal_dir = {}) {
    const std::string script =
        "mount -t tmpfs none /run && mkdir -p /run/systemd/journal && "
        "if [ -n \"$FAKE_JOURNAL\" ]; then mount --bind \"$FAKE_JOURNAL\" /run/systemd/journal; "
        "fi && if [ -n \"$UNDER_SYSTEMD\" ]; then "
        "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); export JOURNAL_STREAM; fi && "
        "exec \"$@\"";
    std::vector<std::string> env{"FAKE_JOURNAL=" + journal_dir.string(),
                                 std::string("UNDER_SYSTEMD=") + (under_systemd ? "1" : "")};
    return std::make_unique<Child>(
        std::vector<std::string>{"/usr/bin/unshare", "--mount", "--propagation", "private",
                                 "/bin/sh", "-c", script, "sh", kWeftd, "run", "-c",
                                 config.string(), "--plugin-dir", WEFT_TEST_PLUGIN_DIR},
        std::move(env));
}

void stop(Child& weftd) {
    weftd.send(SIGTERM);
    const auto code = weftd.wait_exit();
    INFO(weftd.err());
    REQUIRE(code);
    CHECK(*code == 0);
}

// A bound datagram socket collecting what weftd sends to "journald".
class FakeJournal {
   public:
    explicit FakeJournal(const fs::path& dir) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const std::string path = (dir / "socket").string();
        REQUIRE(path.size() < sizeof address.sun_path);
        path.copy(address.sun_path, path.size());
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        const int big = 4 << 20;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    ~FakeJournal() { ::close(fd_); }
    FakeJournal(const FakeJournal&) = delete;
    FakeJournal& operator=(const FakeJournal&) = delete;

    // Every record received so far, each as its fields (the text form: FIELD=value lines).
    std::vector<std::map<std::string, std::string>>& drain() {
        char buffer[64 * 1024];
        while (true) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            std::map<std::string, std::string> fields;
            std::istringstream lines(std::string(buffer, static_cast<std::size_t>(n)));
            for (std::string line; std::getline(lines, line);) {
                const auto eq = line.find('=');
                if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
            }
            records_.push_back(std::move(fields));
        }
        return records_;
    }
    // The first record whose MESSAGE contains `needle`, waiting for it.
    std::optional<std::map<std::string, std::string>> wait_for(const std::string& needle) {
        const auto until = std::chrono::steady_clock::now() + weft::test::kStartDeadline;
        do {
            for (const auto& r : drain()) {
                const auto m = r.find("MESSAGE");
                if (m != r.end() && m->second.find(needle) != std::string::npos) return r;
            }
            std::this_thread::sleep_for(weft::test::kPollInterval);
        } while (std::chrono::steady_clock::now() < until);
        return std::nullopt;
    }

   private:
    int fd_ = -1;
    std::vector<std::map<std::string, std::string>> records_;
};

const char* kPluginConfig = R"("plugins": [{"name": "hb", "path": "heartbeat.so",
    "config": {"interval_ms": 100, "message": "beat"}}],
    "jobs": [{"name": "hb-report", "plugin": "hb", "task": "report", "interval_ms": 150}])";

}  // namespace

TEST_CASE(
    "log journald: the journald target without a journal socket logs to stderr, warning once") {
    const TempDir dir;
    const auto config = dir.write("weftd.json", R"({"log": {"target": "journald"}})");
    auto weftd = run_isolated(config, false);
    REQUIRE(weft::test::wait_for_text(weftd->stderr_file(), "weftd started"));
    stop(*weftd);
    const std::string err = weftd->err();
    CHECK_THAT(err, Contains("log.target is \"journald\" but the journal's socket "
                             "/run/systemd/journal/socket is missing: logging to stderr"));
    CHECK(err.find("journal's socket") == err.rfind("journal's socket"));  // once
    CHECK_THAT(err, Contains("weftd stopped"));
}

TEST_CASE(
    "log journald: under systemd without a journal socket, stderr lines carry <N> priorities") {
    const TempDir dir;
    const auto config = dir.write(
        "weftd.json", R"({"log": {"target": "stderr"}, )" + std::string(kPluginConfig) + "}");
    auto weftd = run_isolated(config, true);
    REQUIRE(weft::test::wait_for_text(weftd->stderr_file(), "beat #1"));
    stop(*weftd);
    std::istringstream lines(weftd->err());
    int info = 0;
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        REQUIRE(line.size() > 3);
        CHECK(line[0] == '<');  // every line, so journald files each at its priority
        if (line.starts_with("<6>info [weftd] weftd started")) ++info;
    }
    CHECK(info == 1);
    CHECK_THAT(weftd->err(), Contains("<6>info [hb] beat #1"));
}

TEST_CASE("log journald: under systemd with a journal, records go natively with fields") {
    const TempDir dir;
    const fs::path journal_dir = dir.path() / "journal";
    fs::create_directory(journal_dir);
    FakeJournal journal(journal_dir);
    // The shipped default target: under systemd, "stderr" means the journal.
    const auto config = dir.write(
        "weftd.json", R"({"log": {"target": "stderr"}, )" + std::string(kPluginConfig) + "}");
    auto weftd = run_isolated(config, true, journal_dir);

    const auto started = journal.wait_for("weftd started");
    REQUIRE(started);
    CHECK(started->at("PRIORITY") == "6");
    CHECK(started->at("SYSLOG_IDENTIFIER") == "weftd");
    CHECK(started->count("WEFT_PLUGIN") == 0);

    const auto beat = journal.wait_for("beat #1");
    REQUIRE(beat);
    CHECK(beat->at("MESSAGE") == "[hb] beat #1");
    CHECK(beat->at("WEFT_PLUGIN") == "hb");
    CHECK(beat->count("WEFT_TASK") == 1);
    CHECK(beat->count("WEFT_JOB") == 0);

    const auto report = journal.wait_for("report: ");
    REQUIRE(report);
    CHECK(report->at("WEFT_PLUGIN") == "hb");
    CHECK(report->at("WEFT_JOB") == "hb-report");
    CHECK(report->count("WEFT_TASK") == 1);

    weftd->send(SIGTERM);
    REQUIRE(weftd->wait_exit() == 0);
    REQUIRE(journal.wait_for("weftd stopped"));
    CHECK(weftd->err().find("weftd started") == std::string::npos);  // not on stderr as well
}

TEST_CASE("log journald: errors reach the journal at error priority") {
    const TempDir dir;
    const fs::path journal_dir = dir.path() / "journal";
    fs::create_directory(journal_dir);
    FakeJournal journal(journal_dir);
    const auto config = dir.write("weftd.json", R"({"log": {"target": "journald"},
        "plugins": [{"name": "gone", "path": "missing.so"}]})");
    auto weftd = run_isolated(config, false, journal_dir);
    const auto failure = journal.wait_for("missing.so");
    REQUIRE(failure);
    CHECK(failure->at("PRIORITY") == "3");
    REQUIRE(journal.wait_for("weftd started"));
    weftd->send(SIGTERM);
    REQUIRE(weftd->wait_exit() == 0);
}
