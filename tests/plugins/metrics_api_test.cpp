// Plugin metrics through the ABI (plugin.h 6.13, ABI 1.3): a C plugin (bad/c_metrics.c) publishes
// counters and gauges, breaks the rules on purpose, and asks for more series than the bound.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace {

using namespace weft;
using namespace weft::test;

const char* kDir = WEFT_TEST_BAD_PLUGIN_DIR;

}  // namespace

TEST_CASE(
    "metrics api: a plugin's counters and gauges are kept per label set, bad names are refused "
    "with the reason, and past 1024 series new ones are refused") {
    LogCapture log;
    const auto config = config_from(R"({"crash_loop": {"state_directory": "/tmp/weft-state-x"},
        "plugins": [{"name": "c", "path": "bad_c_metrics.so"}]})");
    HostedPlugins hosted(Flavor::multi_thread, config, kDir);
    REQUIRE(hosted.host.start_all() == 0);
    const std::string text = log.text();
    INFO(text);
    CHECK_THAT(text, Catch::Contains("c-metrics: counter events_total -> ok"));
    CHECK_THAT(text, Catch::Contains("c-metrics: counter events_total again -> ok"));
    CHECK_THAT(text, Catch::Contains("c-metrics: gauge depth -> ok"));
    CHECK_THAT(text, Catch::Contains("c-metrics: counter bad-name -> invalid argument (metric "
                                     "name \"bad-name\" is not [a-zA-Z_][a-zA-Z0-9_]*"));
    CHECK_THAT(text, Catch::Contains("c-metrics: gauge events_total -> mismatch"));
    CHECK_THAT(text, Catch::Contains("c-metrics: label plugin -> invalid argument"));
    CHECK_THAT(text, Catch::Contains("c-metrics: labels NULL -> invalid argument"));
    // depth + events_total + 1022 of many_total = 1024.
    CHECK_THAT(text, Catch::Contains("c-metrics: many_total: 1022 ok, 78 full"));
    CHECK_THAT(text, Catch::Contains("further new series are refused"));
    CHECK_THAT(text, Catch::Contains("c-metrics: state directory '/tmp/weft-state-x' (17 bytes)"));

    const auto s = hosted.summary("c");
    REQUIRE(s);
    REQUIRE(s->metrics.size() == 1024);
    bool events = false;
    for (const auto& m : s->metrics) {
        if (m.name != "events_total") continue;
        events = true;
        CHECK(m.counter);
        CHECK(m.count == 7);
        CHECK(m.labels == host::MetricLabels{{"kind", "a"}, {"zone", "eu"}});
    }
    CHECK(events);
}
