// plugin.h's "NULL HANDLES" promise, through the real ABI: a plain C plugin (bad/null_handles.c)
// calls every inline function with a NULL handle inside a real host, and each must return
// WEFT_ERR_INVALID_ARGUMENT or its documented neutral value instead of crashing. The list of
// functions comes from plugin.h itself, so a new function the plugin does not call fails here.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kBadDir = WEFT_TEST_BAD_PLUGIN_DIR;

// Every inline function of plugin.h with a handle parameter (a pointer to an opaque type).
std::set<std::string> inline_functions_taking_a_handle() {
    std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/plugin-sdk/include/weft/plugin.h");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex function(R"(static inline [^;{(]*\b(weft_\w+)\(([^)]*)\))");
    const std::regex handle(
        R"(\bweft_(host|context|op|waker|channel|notify|semaphore|task|blocking|listener|stream|udp)\s*\*)");
    std::set<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), function), end; it != end; ++it) {
        const std::string params = (*it)[2];
        if (std::regex_search(params, handle)) out.insert((*it)[1]);
    }
    return out;
}

}  // namespace

TEST_CASE(
    "plugin.h: every inline function given a NULL handle answers as documented, never crashes") {
    LogCapture log;
    const auto config =
        config_from(R"({"plugins": [{"name": "nh", "path": "bad_null_handles.so"}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kBadDir);
    REQUIRE(hosted.host.start_all() == 0);
    REQUIRE(log.wait_for("null handle: done"));
    INFO(log.text());
    const auto functions = inline_functions_taking_a_handle();
    REQUIRE(functions.size() >= 70);  // sections 6.1 to 6.12
    for (const auto& name : functions) {
        INFO(name);
        CHECK(log.contains("[nh] info: null handle: " + name + ": ok"));
    }
    CHECK_FALSE(log.contains("FAILED"));
}
