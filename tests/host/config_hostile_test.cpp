// Config loading under absurd input: numbers no type holds, nesting thousands of levels deep,
// keys by the hundred thousand. Each is a config error naming where, never a crash, and costs
// bounded time.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "host/config/config.hpp"
#include "host/config/error_count.hpp"
#include "host/config/json_text.hpp"

using Catch::Matchers::Contains;
using weft::host::ConfigResult;

namespace {

const weft::host::EnvLookup kNoEnv = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
};

ConfigResult parse(std::string_view text) {
    return weft::host::parse_config(text, "test.json", kNoEnv);
}

std::string joined(const ConfigResult& result) {
    std::string out;
    for (const auto& error : result.errors) out += error + "\n";
    return out;
}

// `levels` arrays nested in each other, with `inner` in the middle.
std::string nested_arrays(std::size_t levels, std::string_view inner = "1") {
    return std::string(levels, '[') + std::string(inner) + std::string(levels, ']');
}

}  // namespace

TEST_CASE("config: a number of 5000 digits is an error naming its path") {
    const std::string digits(5000, '9');
    const ConfigResult result = parse(R"({"runtime": {"budget": )" + digits + "}}");
    INFO(joined(result));
    CHECK(!result.ok());
    REQUIRE(result.errors.size() == 1);
    CHECK_THAT(result.errors[0], Contains("test.json: /runtime/budget: number out of range"));
}

TEST_CASE("config: a number out of range inside a plugin config or an array names its path") {
    const std::string huge = "-" + std::string(400, '1');
    CHECK_THAT(joined(parse(R"({"plugins": [{"name": "a", "path": "a.so", "config": {"x": )" +
                            huge + "}}]}")),
               Contains("/plugins/0/config/x: number out of range"));
    CHECK_THAT(joined(parse(R"({"plugins": [{"name": "a", "path": "a.so", "config": [1, [2, )"
                            R"(1e400]]}]})")),
               Contains("/plugins/0/config/1/1: number out of range"));
}

TEST_CASE("config: integers beyond 64 bits and floats in integer keys are range or type errors") {
    // 2^64 is parsed as a double: a type error; 2^63 fits uint64 but no integer key's range.
    CHECK_THAT(joined(parse(R"({"runtime": {"worker_threads": 18446744073709551616}})")),
               Contains("/runtime/worker_threads: expected integer, got number"));
    CHECK_THAT(joined(parse(R"({"runtime": {"worker_threads": 9223372036854775808}})")),
               Contains("/runtime/worker_threads: must be between"));
    CHECK_THAT(joined(parse(R"({"shutdown": {"grace_period_ms": -9223372036854775808}})")),
               Contains("/shutdown/grace_period_ms: must be between"));
    CHECK_THAT(joined(parse(R"({"semaphores": {"db": 1e300}})")),
               Contains("/semaphores/db: expected integer, got number"));
}

TEST_CASE("config: a plugin config nested 100000 levels deep is one error naming the limit") {
    const std::string text =
        R"({"plugins": [{"name": "a", "path": "a.so", "config": )" + nested_arrays(100'000) + "}]}";
    const ConfigResult result = parse(text);
    INFO(joined(result).substr(0, 2000));
    CHECK(!result.ok());
    REQUIRE(result.errors.size() == 1);
    CHECK_THAT(result.errors[0], Contains("test.json: /plugins/0/config/0/0/0/"));
    CHECK_THAT(result.errors[0], Contains("nested deeper than 128 levels"));
}

TEST_CASE("config: nesting up to the limit is accepted and one level more is not") {
    // The document itself and "plugins", the plugin and "config" take four levels.
    const auto with_config = [](std::size_t levels) {
        return R"({"plugins": [{"name": "a", "path": "a.so", "config": )" + nested_arrays(levels) +
               "}]}";
    };
    const std::size_t room = weft::host::kMaxJsonDepth - 3;
    CHECK(parse(with_config(room)).ok());
    CHECK_THAT(joined(parse(with_config(room + 1))), Contains("nested deeper than 128 levels"));
}

namespace {

// {"runtime": {"k0": 1, "k1": 1, ...}}
std::string runtime_with_unknown_keys(int count) {
    std::string text = R"({"runtime": {)";
    for (int i = 0; i < count; ++i) {
        if (i > 0) text += ',';
        text += "\"k" + std::to_string(i) + "\": 1";
    }
    return text + "}}";
}

long long milliseconds_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
}

}  // namespace

TEST_CASE("config: 1000 unknown keys list the first 100 errors and count the rest") {
    const ConfigResult result = parse(runtime_with_unknown_keys(1000));
    CHECK(!result.ok());
    REQUIRE(result.errors.size() == 101);
    CHECK_THAT(result.errors[0], Contains("test.json: /runtime/k0: unknown key"));
    CHECK_THAT(result.errors[99], Contains("test.json: /runtime/k99: unknown key"));
    CHECK(result.errors[100] == "test.json: 900 more errors not listed");
    CHECK(weft::host::count_errors(result) == 1000);
}

TEST_CASE("config: an object of 100000 keys is one error naming it and costs little time") {
    const auto started = std::chrono::steady_clock::now();
    const ConfigResult result = parse(runtime_with_unknown_keys(100'000));
    const long long took = milliseconds_since(started);
    std::printf("config of 100000 unknown keys: rejected in %lld ms\n", took);
    INFO(joined(result));
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0] ==
          "test.json: /runtime: more than 1000 keys in one object (the limit of a config file)");
    // Generous for a loaded machine: it took 14.5 s before the limit.
    CHECK(took < 5000);
}

TEST_CASE("config: a megabyte-long unknown key is reported without a suggestion table") {
    const std::string key(1 << 20, 'x');
    const auto started = std::chrono::steady_clock::now();
    const std::string errors = joined(parse(R"({"runtime": {")" + key + R"(": 1}})"));
    CHECK_THAT(errors, Contains("unknown key (expected one of"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}
