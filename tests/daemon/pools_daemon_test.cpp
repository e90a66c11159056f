// Pools in the real weftd: check-config names each error of the `pools` section by its JSON
// pointer, and a running daemon keeps a pool's min_idle connections to a real loopback server
// open and shows the pool in /status and /metrics.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "host/admin/unix_http_client.hpp"
#include "support/loopback.hpp"

using Catch::Matchers::Contains;
using weft::host::admin::http_request_unix;
using weft::test::Child;
using weft::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kWeftd = WEFTD_PATH;

int exit_code(Child& child) {
    const auto code = child.wait_exit();
    REQUIRE(code.has_value());
    return *code;
}

std::string get(const fs::path& socket, const std::string& target) {
    const auto fetched = http_request_unix(socket, "GET", target);
    INFO(fetched.error);
    REQUIRE(fetched.reply);
    REQUIRE(fetched.reply->status == 200);
    return fetched.reply->body;
}

}  // namespace

TEST_CASE("weftd check-config: errors of the pools section name their JSON pointer") {
    const TempDir dir;
    const auto config = dir.write("bad.json", R"({"pools": {
        "cache": {"kind": "tcp", "address": "127.0.0.1:0", "max_size": 2, "min_idle": 5},
        "db": {"kind": "resource", "address": "127.0.0.1:5432"}}})");
    Child weftd({kWeftd, "check-config", "-c", config.string(), "--plugin-dir", "/tmp"});
    CHECK(exit_code(weftd) == 3);
    const std::string err = weftd.err();
    CHECK_THAT(err, Contains("bad.json: /pools/cache/min_idle: 5 is more than max_size (2)"));
    CHECK_THAT(err, Contains("/pools/cache/address: invalid address \"127.0.0.1:0\": the port"));
    CHECK_THAT(err, Contains("/pools/db/address: only for a tcp pool"));
    CHECK_THAT(err, Contains(": 3 errors"));
}

TEST_CASE("weftd run: a pool keeps min_idle connections warm and shows in /status and /metrics") {
    const TempDir dir;
    const weft::test::LoopbackListener server(
        64);  // the kernel completes the connections: nobody accepts
    const fs::path socket = dir.path() / "admin.sock";
    const auto config = dir.write("weftd.json", R"({"admin": {"socket": ")" + socket.string() +
                                                    R"("}, "pools": {"cache": {"kind": "tcp",
        "address": "127.0.0.1:)" + std::to_string(server.port()) +
                                                    R"(", "max_size": 4, "min_idle": 2}}})");
    Child weftd({kWeftd, "run", "-c", config.string(), "--plugin-dir", "/tmp"},
                {"WEFT_ADMIN_SOCKET=" + socket.string()});
    REQUIRE(weft::test::wait_for_text(weftd.stderr_file(), "weftd started"));
    INFO(weftd.err());
    nlohmann::json pool;
    for (int i = 0; i < 200; ++i) {  // the background fill: up to 10 s on a loaded machine
        const auto status = nlohmann::json::parse(get(socket, "/status"));
        REQUIRE(status["pools"].size() == 1);
        pool = status["pools"][0];
        if (pool["idle"] == 2) break;
        ::usleep(50'000);
    }
    CHECK(pool["name"] == "cache");
    CHECK(pool["kind"] == "tcp");
    CHECK(pool["idle"] == 2);
    CHECK(pool["in_use"] == 0);
    CHECK(pool["creates"] == 2);
    const std::string metrics = get(socket, "/metrics");
    CHECK_THAT(metrics, Contains("weft_pool_idle{pool=\"cache\",kind=\"tcp\"} 2"));
    CHECK_THAT(metrics, Contains("weft_pool_max_size{pool=\"cache\",kind=\"tcp\"} 4"));
    weftd.send(SIGTERM);
    CHECK(exit_code(weftd) == 0);
}
