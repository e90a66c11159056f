// The named pools in the admin endpoint's renderers, on a hand-built snapshot: every figure of a
// pool in /status, and in /metrics the gauges, counters, closes by reason and the acquire-wait
// histogram (cumulative buckets in seconds, _sum and _count).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "host/admin/metrics_text.hpp"
#include "host/admin/status_json.hpp"

using Catch::Matchers::Contains;
using namespace weft::host;
using namespace weft::host::admin;

namespace {

AdminSnapshot with_pool() {
    AdminSnapshot s;
    PoolReport p;
    p.name = "cache";
    p.kind = PoolKind::tcp;
    p.address = "127.0.0.1:6379";
    p.stats.max_size = 16;
    p.stats.min_idle = 2;
    p.stats.size = 5;
    p.stats.idle = 2;
    p.stats.in_use = 3;
    p.stats.waiters = 4;
    p.stats.acquisitions = 100;
    p.stats.timeouts = 6;
    p.stats.creates = 7;
    p.stats.create_failures = 8;
    p.stats.closes[static_cast<std::size_t>(weft::pool::CloseReason::broken)] = 1;
    p.stats.closes[static_cast<std::size_t>(weft::pool::CloseReason::lifetime)] = 2;
    p.stats.wait_buckets[0] = 90;  // <= 100 us
    p.stats.wait_buckets[2] = 10;  // <= 5 ms
    p.stats.wait_sum_us = 25'000;
    s.pools.push_back(p);
    return s;
}

}  // namespace

TEST_CASE("admin pools: /status shows each pool with its figures") {
    const nlohmann::json status = render_status(with_pool());
    REQUIRE(status["pools"].size() == 1);
    const auto& p = status["pools"][0];
    CHECK(p["name"] == "cache");
    CHECK(p["kind"] == "tcp");
    CHECK(p["address"] == "127.0.0.1:6379");
    CHECK(p["size"] == 5);
    CHECK(p["idle"] == 2);
    CHECK(p["in_use"] == 3);
    CHECK(p["waiters"] == 4);
    CHECK(p["acquisitions"] == 100);
    CHECK(p["timeouts"] == 6);
    CHECK(p["creates"] == 7);
    CHECK(p["create_failures"] == 8);
    CHECK(p["closed"]["broken"] == 1);
    CHECK(p["closed"]["idle"] == 0);
    CHECK(p["closed"]["lifetime"] == 2);
    CHECK(p["acquire_wait"]["buckets"][0]["count"] == 90);
    CHECK(p["acquire_wait"]["sum_seconds"] == 0.025);
}

TEST_CASE("admin pools: /metrics has gauges and counters and closes by reason and a histogram") {
    const std::string text = render_metrics(with_pool());
    CHECK_THAT(text, Contains("# TYPE weft_pool_in_use gauge\n"));
    CHECK_THAT(text, Contains("weft_pool_in_use{pool=\"cache\",kind=\"tcp\"} 3\n"));
    CHECK_THAT(text, Contains("weft_pool_waiters{pool=\"cache\",kind=\"tcp\"} 4\n"));
    CHECK_THAT(text, Contains("weft_pool_timeouts_total{pool=\"cache\",kind=\"tcp\"} 6\n"));
    CHECK_THAT(text, Contains("weft_pool_create_failures_total{pool=\"cache\",kind=\"tcp\"} 8\n"));
    CHECK_THAT(text, Contains("weft_pool_closes_total{pool=\"cache\",reason=\"broken\"} 1\n"));
    CHECK_THAT(text, Contains("weft_pool_closes_total{pool=\"cache\",reason=\"lifetime\"} 2\n"));
    CHECK_THAT(text, Contains("# TYPE weft_pool_acquire_wait_seconds histogram\n"));
    CHECK_THAT(
        text, Contains("weft_pool_acquire_wait_seconds_bucket{pool=\"cache\",le=\"0.0001\"} 90\n"));
    CHECK_THAT(text,
               Contains("weft_pool_acquire_wait_seconds_bucket{pool=\"cache\",le=\"0.001\"} 90\n"));
    CHECK_THAT(
        text, Contains("weft_pool_acquire_wait_seconds_bucket{pool=\"cache\",le=\"0.005\"} 100\n"));
    CHECK_THAT(text,
               Contains("weft_pool_acquire_wait_seconds_bucket{pool=\"cache\",le=\"+Inf\"} 100\n"));
    CHECK_THAT(text, Contains("weft_pool_acquire_wait_seconds_sum{pool=\"cache\"} 0.025\n"));
    CHECK_THAT(text, Contains("weft_pool_acquire_wait_seconds_count{pool=\"cache\"} 100\n"));
}
