// The SDK's JSON reader on numbers no integer type holds: a plugin's config is the operator's
// text, and reading it must give an error naming the key, never a silently wrapped value or
// undefined behaviour in the host's process.
#include <catch2/catch.hpp>
#include <cstdint>
#include <weft/plugin.hpp>

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("plugin sdk json: numbers beyond an integer type are errors naming the key") {
    const weft::Json config = weft::Json::parse(
        R"({"huge": 1e300, "wide": 4294967396, "beyond": 9223372036854775808,
            "small": -9223372036854775808, "exp": 1e3, "half": 2.5})");
    CHECK_THROWS_WITH(config.value("huge", 0), Equals("\"huge\": expected an integer, got 1e+300"));
    CHECK_THROWS_WITH(config.value("half", 0), Equals("\"half\": expected an integer, got 2.5"));
    CHECK_THROWS_WITH(config.value("wide", 0), Contains("\"wide\": expected an integer between"));
    CHECK(config.value<std::int64_t>("wide", 0) == 4294967396);
    CHECK_THROWS_AS(config.value<std::int64_t>("beyond", 0), weft::ConfigError);
    CHECK(config.value<double>("beyond", 0.0) == 9223372036854775808.0);
    CHECK(config.value<std::int64_t>("small", 0) == INT64_MIN);
    CHECK(config.value("exp", 0) == 1000);
    CHECK_THROWS_AS(config.value<unsigned>("small", 0u), weft::ConfigError);
}
