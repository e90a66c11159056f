#include "host/admin/pool_status.hpp"

#include <array>
#include <string>

namespace weft::host::admin {
namespace {

using pool::CloseReason;
using pool::PoolSnapshot;

constexpr std::array kReasons{CloseReason::broken, CloseReason::idle, CloseReason::lifetime,
                              CloseReason::shutdown};

std::uint64_t closes(const PoolSnapshot& s, CloseReason r) {
    return s.closes[static_cast<std::size_t>(r)];
}

// Bucket upper bounds in seconds, as Prometheus writes them; the last is +Inf.
std::string le_of(std::size_t bucket) {
    if (bucket >= pool::kWaitBucketsUs.size()) return "+Inf";
    return format_value(static_cast<double>(pool::kWaitBucketsUs[bucket]) / 1e6);
}

struct Gauge {
    const char* name;
    const char* help;
    std::uint64_t PoolSnapshot::*field;
};
constexpr std::array kGauges{
    Gauge{"weft_pool_max_size", "The most resources the pool opens at once.",
          &PoolSnapshot::max_size},
    Gauge{"weft_pool_min_idle", "Resources the pool keeps idle in the background.",
          &PoolSnapshot::min_idle},
    Gauge{"weft_pool_size", "Resources open now, idle or in use.", &PoolSnapshot::size},
    Gauge{"weft_pool_idle", "Resources open and idle now.", &PoolSnapshot::idle},
    Gauge{"weft_pool_in_use", "Resources acquired and not given back.", &PoolSnapshot::in_use},
    Gauge{"weft_pool_waiters", "Acquires waiting for a free slot now.", &PoolSnapshot::waiters},
};
constexpr std::array kCounters{
    Gauge{"weft_pool_acquisitions_total", "Acquires that got a resource.",
          &PoolSnapshot::acquisitions},
    Gauge{"weft_pool_timeouts_total", "Acquires that gave up at acquire_timeout.",
          &PoolSnapshot::timeouts},
    Gauge{"weft_pool_creates_total", "Resources created.", &PoolSnapshot::creates},
    Gauge{"weft_pool_create_failures_total", "Attempts to create a resource that failed.",
          &PoolSnapshot::create_failures},
};

}  // namespace

nlohmann::json pools_json(const std::vector<PoolReport>& pools) {
    nlohmann::json out = nlohmann::json::array();
    for (const PoolReport& p : pools) {
        const PoolSnapshot& s = p.stats;
        nlohmann::json closed = nlohmann::json::object();
        for (CloseReason r : kReasons) closed[pool::to_string(r)] = closes(s, r);
        nlohmann::json buckets = nlohmann::json::array();
        for (std::size_t i = 0; i < pool::kWaitBuckets; ++i)
            buckets.push_back({{"le_seconds", le_of(i)}, {"count", s.wait_buckets[i]}});
        nlohmann::json entry{{"name", p.name},
                             {"kind", to_string(p.kind)},
                             {"max_size", s.max_size},
                             {"min_idle", s.min_idle},
                             {"size", s.size},
                             {"idle", s.idle},
                             {"in_use", s.in_use},
                             {"waiters", s.waiters},
                             {"acquisitions", s.acquisitions},
                             {"timeouts", s.timeouts},
                             {"creates", s.creates},
                             {"create_failures", s.create_failures},
                             {"closed", std::move(closed)},
                             {"acquire_wait",
                              {{"buckets", std::move(buckets)},
                               {"sum_seconds", static_cast<double>(s.wait_sum_us) / 1e6}}}};
        if (p.kind == PoolKind::tcp) entry["address"] = p.address;
        out.push_back(std::move(entry));
    }
    return out;
}

void pool_metrics(PrometheusWriter& w, const std::vector<PoolReport>& pools) {
    for (const Gauge& g : kGauges) {
        w.family(g.name, g.help, MetricType::gauge);
        for (const PoolReport& p : pools)
            w.sample(g.name, {{"pool", p.name}, {"kind", to_string(p.kind)}}, p.stats.*g.field);
    }
    for (const Gauge& c : kCounters) {
        w.family(c.name, c.help, MetricType::counter);
        for (const PoolReport& p : pools)
            w.sample(c.name, {{"pool", p.name}, {"kind", to_string(p.kind)}}, p.stats.*c.field);
    }
    w.family("weft_pool_closes_total",
             "Resources closed, by reason (broken, idle, lifetime, "
             "shutdown).",
             MetricType::counter);
    for (const PoolReport& p : pools) {
        for (CloseReason r : kReasons)
            w.sample("weft_pool_closes_total", {{"pool", p.name}, {"reason", pool::to_string(r)}},
                     closes(p.stats, r));
    }
    w.family("weft_pool_acquire_wait_seconds", "How long acquires waited for a resource.",
             MetricType::histogram);
    for (const PoolReport& p : pools) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < pool::kWaitBuckets; ++i) {
            cumulative += p.stats.wait_buckets[i];
            const std::string le = le_of(i);
            w.sample("weft_pool_acquire_wait_seconds_bucket", {{"pool", p.name}, {"le", le}},
                     cumulative);
        }
        w.sample("weft_pool_acquire_wait_seconds_sum", {{"pool", p.name}},
                 static_cast<double>(p.stats.wait_sum_us) / 1e6);
        w.sample("weft_pool_acquire_wait_seconds_count", {{"pool", p.name}}, cumulative);
    }
}

}  // namespace weft::host::admin
