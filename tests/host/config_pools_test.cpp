// The `pools` section: each error names its JSON pointer and what was wrong; a valid section
// yields the values and the documented defaults.
//
// Test names avoid commas and brackets: CTest passes each name to Catch2 as a test spec.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "host/config/config.hpp"

using Catch::Matchers::Contains;
using weft::host::ConfigResult;

namespace {

ConfigResult parse(std::string_view text) {
    return weft::host::parse_config(text, "test.json",
                                    [](const char*) -> std::optional<std::string> { return {}; });
}

std::string errors_of(std::string_view text) {
    std::string joined;
    for (const auto& error : parse(text).errors) joined += error + "\n";
    return joined;
}

}  // namespace

TEST_CASE("config pools: a tcp pool is read with its values and the defaults") {
    const ConfigResult r = parse(R"({"pools": {
        "cache": {"kind": "tcp", "address": "127.0.0.1:6379", "max_size": 16, "min_idle": 2,
                  "idle_timeout_ms": 60000, "max_lifetime_ms": 1800000,
                  "acquire_timeout_ms": 2000, "connect_timeout_ms": 1000},
        "search": {"kind": "tcp", "address": "search.internal:9200"},
        "handles": {"kind": "resource", "max_size": 4}}})");
    REQUIRE(r.ok());
    const auto& cache = r.config->pools.at("cache");
    CHECK(cache.kind == weft::host::PoolKind::tcp);
    CHECK(cache.address == "127.0.0.1:6379");
    CHECK(cache.max_size == 16);
    CHECK(cache.min_idle == 2);
    CHECK(cache.idle_timeout_ms == 60000);
    CHECK(cache.acquire_timeout_ms == 2000);
    CHECK(cache.connect_timeout_ms == 1000);
    const auto& search = r.config->pools.at("search");
    CHECK(search.max_size == 10);
    CHECK(search.min_idle == 0);
    CHECK(search.idle_timeout_ms == 600000);
    CHECK(search.max_lifetime_ms == 1800000);
    CHECK(search.acquire_timeout_ms == 30000);
    CHECK(r.config->pools.at("handles").kind == weft::host::PoolKind::resource);
}

TEST_CASE("config pools: min_idle above max_size is an error at /pools/NAME/min_idle") {
    CHECK_THAT(errors_of(R"({"pools": {"cache": {"kind": "tcp", "address": "127.0.0.1:1",
                                                  "max_size": 2, "min_idle": 3}}})"),
               Contains("test.json: /pools/cache/min_idle: 3 is more than max_size (2)"));
}

TEST_CASE("config pools: bad addresses are named with the reason") {
    CHECK_THAT(errors_of(R"({"pools": {"c": {"kind": "tcp", "address": "127.0.0.1"}}})"),
               Contains("/pools/c/address: invalid address \"127.0.0.1\": expected host:port"));
    CHECK_THAT(errors_of(R"({"pools": {"c": {"kind": "tcp", "address": "127.0.0.1:0"}}})"),
               Contains("/pools/c/address: invalid address \"127.0.0.1:0\": the port must be"));
    CHECK_THAT(errors_of(R"({"pools": {"c": {"kind": "tcp", "address": "[::zz]:80"}}})"),
               Contains("/pools/c/address: invalid address \"[::zz]:80\": not a valid bracketed"));
    CHECK_THAT(errors_of(R"({"pools": {"c": {"kind": "tcp", "address": "a b:80"}}})"),
               Contains("/pools/c/address: invalid address \"a b:80\": the host must be a name"));
    CHECK_THAT(errors_of(R"({"pools": {"c": {"kind": "tcp"}}})"),
               Contains("/pools/c: missing required key \"address\""));
}

TEST_CASE("config pools: ranges kinds and unknown keys are reported together") {
    const std::string errors = errors_of(R"({"pools": {
        "a": {"kind": "tcp", "address": "h:1", "max_size": 0, "acquire_timeout_ms": 0},
        "b": {"kind": "udp"},
        "c": {"kind": "resource", "address": "h:1", "connect_timeout_ms": 5},
        "d": {"kind": "tcp", "address": "h:1", "max_sise": 3},
        "bad name": {"kind": "resource"}}})");
    CHECK_THAT(errors, Contains("/pools/a/max_size:"));
    CHECK_THAT(errors, Contains("/pools/a/acquire_timeout_ms:"));
    CHECK_THAT(errors, Contains("/pools/b/kind:"));
    CHECK_THAT(errors, Contains("/pools/c/address: only for a tcp pool"));
    CHECK_THAT(errors, Contains("/pools/c/connect_timeout_ms: only for a tcp pool"));
    CHECK_THAT(errors, Contains("/pools/d/max_sise:"));
    CHECK_THAT(errors, Contains("max_size"));  // the suggestion
    CHECK_THAT(errors, Contains("/pools/bad name: invalid name"));
}
