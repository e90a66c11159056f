// The network section of the ABI (1.2) through the real host and the C++ SDK: a plugin serves and
// connects over real loopback sockets, races them with timeouts, and its handles are closed by
// the host. Both flavors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

}  // namespace

TEST_CASE("plugin net: a plugin serves, connects and races sockets through the ABI") {
    auto flavor = GENERATE(from_range(flavors()));
    LogCapture log;
    char tmpl[] = "/tmp/weft-plugin-net-XXXXXX";
    const std::filesystem::path dir = ::mkdtemp(tmpl);
    const std::string sock = (dir / "probe.sock").string();
    const auto config = config_from(R"({"plugins": [{"name": "np", "path": "net_probe.so",
        "config": {"unix_path": ")" +
                                    sock + R"("}}]})");
    {
        HostedPlugins hosted(flavor, config, kDir);
        REQUIRE(hosted.host.start_all() == 0);
        CHECK(log.wait_for("net: done"));
        hosted.host.shutdown();
    }
    std::filesystem::remove_all(dir);
    INFO(log.text());
    CHECK(log.contains("[np] info: net: listening on 127.0.0.1:"));
    CHECK(log.contains("net: echoed 'hello through the abi' from 127.0.0.1:"));
    CHECK(log.contains("net: read timed out yes"));
    CHECK(log.contains("net: then read 'after'"));
    CHECK(log.contains("net: end of stream gives 0"));
    CHECK(log.contains("net: client alpha ok"));
    CHECK(log.contains("net: client beta ok"));
    CHECK(log.contains("net: first_of winner 1"));
    CHECK(log.contains("net: refused status connection refused: connect 127.0.0.1:"));
    CHECK(log.contains(": connection refused (connection refused)"));
    CHECK(log.contains("net: udp 'datagram' from sender u1"));
    CHECK(log.contains("net: unix echoed 'unix'"));
    CHECK(log.contains("net: localhost resolves to some address"));
    CHECK_FALSE(log.contains("task failed"));
}
