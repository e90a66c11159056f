// weftd with absurd configs: a number no type holds and nesting far past the limit are config
// errors (exit 3) naming the file and the JSON path, from both check-config and run, never a crash.
#include <catch2/catch.hpp>
#include <string>

#include "child_process.hpp"

using Catch::Matchers::Contains;
using weft::test::Child;
using weft::test::TempDir;

namespace {

const std::string kWeftd = WEFTD_PATH;

void check_both_commands_reject(const std::string& text, const std::string& expected) {
    const TempDir dir;
    const auto config = dir.write("hostile.json", text);
    for (const char* command : {"check-config", "run"}) {
        INFO(command);
        Child weftd({kWeftd, command, "-c", config.string()});
        const auto code = weftd.wait_exit();
        REQUIRE(code.has_value());
        CHECK(*code == 3);
        const std::string err = weftd.err();
        CHECK_THAT(err.substr(0, 4000), Contains(config.string() + ": " + expected));
        CHECK_THAT(err, !Contains("weftd started"));
    }
}

}  // namespace

TEST_CASE("weftd: a budget of 5000 digits exits 3 naming the file and /runtime/budget") {
    check_both_commands_reject(R"({"runtime": {"budget": )" + std::string(5000, '9') + "}}",
                               "/runtime/budget: number out of range");
}

TEST_CASE("weftd: a plugin config nested 100000 levels deep exits 3 naming the limit") {
    const std::string nested = std::string(100'000, '[') + std::string(100'000, ']');
    check_both_commands_reject(
        R"({"plugins": [{"name": "a", "path": "a.so", "config": )" + nested + "}]}",
        "/plugins/0/config/0/0/0");
}
