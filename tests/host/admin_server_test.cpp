// The admin endpoint in-process: the Unix listener's socket-file rules, the routes, and the
// HTTP server answering the Unix-socket client end to end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "../daemon/child_process.hpp"
#include "host/admin/admin_routes.hpp"
#include "host/admin/admin_server.hpp"
#include "host/admin/listener.hpp"
#include "host/admin/unix_http_client.hpp"

using Catch::Matchers::Contains;
using namespace weft::host;
using namespace weft::host::admin;
using weft::test::TempDir;
namespace fs = std::filesystem;

namespace {

AdminSnapshot fake_snapshot(bool shutting_down) {
    AdminSnapshot s;
    s.version = "test";
    s.shutting_down = shutting_down;
    PluginSummary p;
    p.name = "fake";
    p.state = PluginState::running;
    s.plugins.push_back(p);
    return s;
}

}  // namespace

TEST_CASE("admin listener: creates the parent directory, mode 0660, removes the file at the end") {
    TempDir dir;
    const fs::path path = dir.path() / "sub" / "admin.sock";
    {
        ListenResult r = listen_unix(path);
        INFO(r.error);
        REQUIRE(r.listener);
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 0777) == 0660);
        CHECK(r.listener->where == "unix:" + path.string());
    }
    CHECK(!fs::exists(fs::symlink_status(path)));
}

TEST_CASE("admin listener: a stale socket is replaced, a live one and other files are not") {
    TempDir dir;
    const fs::path path = dir.path() / "admin.sock";
    {
        // A socket file nobody listens on: what a killed daemon leaves behind.
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, path.c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        ::close(fd);
    }
    ListenResult first = listen_unix(path);
    INFO(first.error);
    REQUIRE(first.listener);

    ListenResult second = listen_unix(path);  // the first one is alive
    CHECK(!second.listener);
    CHECK_THAT(second.error, Contains(path.string()));
    CHECK_THAT(second.error, Contains("another process"));
    CHECK(fs::exists(fs::symlink_status(path)));

    const fs::path regular = dir.path() / "not-a-socket";
    std::ofstream(regular) << "keep me";
    ListenResult third = listen_unix(regular);
    CHECK(!third.listener);
    CHECK_THAT(third.error, Contains("not a socket"));
    CHECK(fs::exists(regular));
}

TEST_CASE("admin listener: an unusable directory is an error naming the path and the reason") {
    TempDir dir;
    const fs::path file = dir.path() / "file";
    std::ofstream(file) << "x";
    const fs::path path = file / "sub" / "admin.sock";
    ListenResult r = listen_unix(path);
    CHECK(!r.listener);
    CHECK_THAT(r.error, Contains(path.string()));
    CHECK_THAT(r.error, Contains("Not a directory"));
}

TEST_CASE("admin routes: health, 404 and 405") {
    AdminRoutes routes(fake_snapshot);
    auto health = routes.handle({"GET", "/health"});
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");
    CHECK(routes.handle({"HEAD", "/health"}).status == 200);
    CHECK(routes.handle({"GET", "/nope"}).status == 404);
    CHECK(routes.handle({"GET", "/"}).status == 404);
    auto post = routes.handle({"POST", "/metrics"});
    CHECK(post.status == 405);
    REQUIRE(post.headers.size() == 1);
    CHECK(post.headers[0].first == "Allow");
    routes.begin_shutdown();
    auto stopping = routes.handle({"GET", "/health"});
    CHECK(stopping.status == 503);
    CHECK(stopping.body == "shutting down\n");
    CHECK_THAT(routes.handle({"GET", "/metrics"}).body, Contains("weft_shutting_down 1"));
}

TEST_CASE("admin server: serves the routes on its Unix socket and removes it when stopped") {
    TempDir dir;
    const fs::path path = dir.path() / "admin.sock";
    AdminConfig config;
    config.socket = path.string();
    std::atomic<int> snapshots{0};
    AdminServer server(config, [&](bool shutting_down) {
        ++snapshots;
        return fake_snapshot(shutting_down);
    });
    REQUIRE(server.endpoints() == std::vector<std::string>{"unix:" + path.string()});

    auto health = http_request_unix(path, "GET", "/health");
    INFO(health.error);
    REQUIRE(health.reply);
    CHECK(health.reply->status == 200);
    CHECK(health.reply->body == "ok\n");

    auto metrics = http_request_unix(path, "GET", "/metrics?ignored=1");
    REQUIRE(metrics.reply);
    CHECK(metrics.reply->status == 200);
    CHECK_THAT(metrics.reply->content_type, Contains("version=0.0.4"));
    CHECK_THAT(metrics.reply->body,
               Contains("weft_plugin_state{plugin=\"fake\",state=\"running\"} 1"));

    auto status = http_request_unix(path, "GET", "/status");
    REQUIRE(status.reply);
    CHECK(status.reply->status == 200);
    CHECK(status.reply->content_type == "application/json");
    CHECK_THAT(status.reply->body, Contains("\"fake\""));
    CHECK(snapshots.load() == 2);

    auto missing = http_request_unix(path, "GET", "/missing");
    REQUIRE(missing.reply);
    CHECK(missing.reply->status == 404);
    auto post = http_request_unix(path, "POST", "/status");
    REQUIRE(post.reply);
    CHECK(post.reply->status == 405);

    server.begin_shutdown();
    auto stopping = http_request_unix(path, "GET", "/health");
    REQUIRE(stopping.reply);
    CHECK(stopping.reply->status == 503);

    server.stop();
    CHECK(!fs::exists(fs::symlink_status(path)));
    auto gone = http_request_unix(path, "GET", "/health");
    CHECK(!gone.reply);
    CHECK_THAT(gone.error, Contains(path.string()));
    CHECK_THAT(gone.error, Contains("No such file or directory"));
}

TEST_CASE("admin server: an endpoint that cannot be set up is logged and left out") {
    TempDir dir;
    const fs::path file = dir.path() / "file";
    std::ofstream(file) << "x";
    AdminConfig config;
    config.socket = (file / "admin.sock").string();
    AdminServer server(config, fake_snapshot);
    CHECK(server.endpoints().empty());
}

TEST_CASE("admin server: the optional loopback TCP endpoint") {
    TempDir dir;
    AdminConfig config;
    config.socket = (dir.path() / "admin.sock").string();
    // Port 1 needs privileges this test may not have, so let the test pick a free port: bind
    // once to learn one, then hand it over (a race with other processes is unlikely and would
    // only fail to bind, which the server logs).
    config.tcp = TcpEndpoint{"127.0.0.1", 0};
    {
        ListenResult probe = listen_tcp(*config.tcp);
        REQUIRE(probe.listener);
        sockaddr_in a{};
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(probe.listener->fd.get(), reinterpret_cast<sockaddr*>(&a), &len) ==
                0);
        config.tcp->port = ntohs(a.sin_port);
    }
    AdminServer server(config, fake_snapshot);
    const auto endpoints = server.endpoints();
    REQUIRE(endpoints.size() == 2);
    CHECK(endpoints[1] == "tcp:127.0.0.1:" + std::to_string(config.tcp->port));
}

TEST_CASE("admin client: a missing socket is one clear error") {
    auto r = http_request_unix("/nonexistent/weft/admin.sock", "GET", "/health");
    CHECK(!r.reply);
    CHECK_THAT(r.error, Contains("/nonexistent/weft/admin.sock"));
    CHECK_THAT(r.error, Contains("is weftd running"));
}
