// PluginMetrics (plugin.h 6.13): what a plugin may publish, and the bounds that keep a faulty
// plugin from growing the host without end.
#include "host/registry/plugin_metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using weft::host::MetricLabels;
using weft::host::PluginMetrics;
using Result = PluginMetrics::Result;

TEST_CASE("plugin metrics: a counter adds up per label set, whatever the order of the labels") {
    PluginMetrics m;
    std::string error;
    CHECK(m.counter_add("sent_total", {{"stream", "a"}, {"direction", "out"}}, 3, error) ==
          Result::ok);
    CHECK(m.counter_add("sent_total", {{"direction", "out"}, {"stream", "a"}}, 4, error) ==
          Result::ok);
    CHECK(m.counter_add("sent_total", {{"direction", "out"}, {"stream", "b"}}, 1, error) ==
          Result::ok);
    const auto s = m.snapshot();
    REQUIRE(s.size() == 2);
    CHECK(s[0].count == 7);
    CHECK(s[0].labels == MetricLabels{{"direction", "out"}, {"stream", "a"}});
    CHECK(s[1].count == 1);
}

TEST_CASE("plugin metrics: a gauge keeps the last value; a name is a counter or a gauge") {
    PluginMetrics m;
    std::string error;
    CHECK(m.gauge_set("pending", {}, 5, error) == Result::ok);
    CHECK(m.gauge_set("pending", {}, 2.5, error) == Result::ok);
    REQUIRE(m.snapshot().size() == 1);
    CHECK(m.snapshot()[0].gauge == 2.5);
    CHECK(m.counter_add("pending", {}, 1, error) == Result::mismatch);
    CHECK(error.find("is a gauge") != std::string::npos);
    CHECK(m.gauge_set("pending", {}, std::nan(""), error) == Result::invalid);
    CHECK(m.gauge_set("pending", {}, std::numeric_limits<double>::infinity(), error) ==
          Result::invalid);
}

TEST_CASE("plugin metrics: names and labels breaking the Prometheus rules are refused, named") {
    PluginMetrics m;
    std::string error;
    CHECK(m.counter_add("9lives", {}, 1, error) == Result::invalid);
    CHECK(error.find("9lives") != std::string::npos);
    CHECK(m.counter_add("has-dash", {}, 1, error) == Result::invalid);
    CHECK(m.counter_add("", {}, 1, error) == Result::invalid);
    CHECK(m.counter_add(std::string(129, 'a'), {}, 1, error) == Result::invalid);
    CHECK(m.counter_add("state", {}, 1, error) == Result::invalid);  // weft_plugin_state
    CHECK(m.counter_add("ok", {{"plugin", "x"}}, 1, error) == Result::invalid);
    CHECK(m.counter_add("ok", {{"__name", "x"}}, 1, error) == Result::invalid);
    CHECK(m.counter_add("ok", {{"a b", "x"}}, 1, error) == Result::invalid);
    CHECK(m.counter_add("ok", {{"a", "x"}, {"a", "y"}}, 1, error) == Result::invalid);
    CHECK(error.find("given twice") != std::string::npos);
    CHECK(m.counter_add("ok", {{"a", std::string(257, 'v')}}, 1, error) == Result::invalid);
    CHECK(m.counter_add("ok", {{"a", "\xff\xfe"}}, 1, error) == Result::invalid);
    MetricLabels nine;
    for (int i = 0; i < 9; ++i) nine.emplace_back("l" + std::to_string(i), "v");
    CHECK(m.counter_add("ok", nine, 1, error) == Result::invalid);
    CHECK(m.counter_add("ok", {{"a", "caf\xc3\xa9 \"quoted\"\n"}}, 1, error) == Result::ok);
    CHECK(m.snapshot().size() == 1);
}

TEST_CASE("plugin metrics: past 1024 series a new one is refused, existing ones still update") {
    PluginMetrics m;
    std::string error;
    for (std::size_t i = 0; i < PluginMetrics::kMaxSeries; ++i)
        REQUIRE(m.counter_add("c_total", {{"i", std::to_string(i)}}, 1, error) == Result::ok);
    CHECK(m.counter_add("c_total", {{"i", "one more"}}, 1, error) == Result::full);
    CHECK(error.find("1024") != std::string::npos);
    CHECK(m.take_full_notice());
    CHECK_FALSE(m.take_full_notice());  // logged once
    CHECK(m.counter_add("c_total", {{"i", "0"}}, 1, error) == Result::ok);
    CHECK(m.snapshot().size() == PluginMetrics::kMaxSeries);
}
