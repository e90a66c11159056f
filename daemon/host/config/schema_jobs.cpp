// The jobs array: plugin task functions run on a schedule (interval, cron or once).
#include <array>

#include <fmt/ranges.h>

#include "host/config/schema.hpp"

namespace weft::host {
namespace {

using Presence = ObjectReader::Presence;

constexpr std::array<std::string_view, 3> kScheduleKeys = {"interval_ms", "cron", "once_after_ms"};

std::optional<JobSchedule> read_schedule(const ObjectReader& r) {
    std::vector<std::string_view> given;
    for (std::string_view key : kScheduleKeys) {
        if (r.find(key) != nullptr) given.push_back(key);
    }
    if (given.size() != 1) {
        r.diagnostics().error(
            r.path(), given.empty()
                          ? "needs a schedule: one of \"interval_ms\", \"cron\", \"once_after_ms\""
                          : fmt::format("has {} schedules (\"{}\"); give exactly one of "
                                        "\"interval_ms\", \"cron\", \"once_after_ms\"",
                                        given.size(), fmt::join(given, "\", \"")));
        return std::nullopt;
    }
    if (given.front() == "interval_ms") {
        const auto ms = r.integer("interval_ms", kIntervalMs.min, kIntervalMs.max);
        if (!ms) return std::nullopt;
        return IntervalSchedule{static_cast<std::uint64_t>(*ms)};
    }
    if (given.front() == "once_after_ms") {
        const auto ms = r.integer("once_after_ms", kOnceAfterMs.min, kOnceAfterMs.max);
        if (!ms) return std::nullopt;
        return OnceAfterSchedule{static_cast<std::uint64_t>(*ms)};
    }
    auto expression = r.string("cron");
    if (!expression) return std::nullopt;
    CronParseResult parsed = parse_cron(*expression);
    if (!parsed.schedule) {
        r.diagnostics().error(r.path_of("cron"), fmt::format("invalid cron expression \"{}\": {}",
                                                             *expression, parsed.error));
        return std::nullopt;
    }
    return CronJobSchedule{std::move(*expression), *parsed.schedule};
}

std::optional<JobConfig> read_job(const Json& value, const std::string& path, Diagnostics& diag,
                                  const NameIndex& plugin_names, NameIndex& job_names) {
    const ObjectReader r(
        value, path, diag,
        {"name", "plugin", "task", "interval_ms", "cron", "once_after_ms", "priority", "overlap"});
    if (!r.is_object()) return std::nullopt;
    JobConfig job;
    bool complete = false;
    if (auto name = r.string("name", Presence::required)) {
        if (!is_object_name(*name)) {
            diag.error(r.path_of("name"),
                       fmt::format("invalid job name \"{}\": use letters, digits, '_', '-' and '.'",
                                   *name));
        } else if (claim_name(job_names, *name, path, "job", diag)) {
            job.name = std::move(*name);
            complete = true;
        }
    }
    if (auto plugin = r.string("plugin", Presence::required)) {
        if (plugin_names.contains(*plugin)) {
            job.plugin = std::move(*plugin);
        } else {
            diag.error(r.path_of("plugin"),
                       fmt::format("unknown plugin \"{}\": it must be the name of an entry in "
                                   "/plugins",
                                   *plugin));
            complete = false;
        }
    } else {
        complete = false;
    }
    if (auto task = r.string("task", Presence::required)) {
        job.task = std::move(*task);
    } else {
        complete = false;
    }
    if (auto schedule = read_schedule(r)) {
        job.schedule = std::move(*schedule);
    } else {
        complete = false;
    }
    assign_if(job.priority, r.integer("priority", kPriority.min, kPriority.max));
    assign_if(job.overlap, r.choice<Overlap>("overlap", kOverlapNames));
    if (!complete) return std::nullopt;
    return job;
}

}  // namespace

void read_jobs_section(const Json& value, const std::string& path, Diagnostics& diag,
                       const NameIndex& plugin_names, Config& out) {
    if (!expect_type(value, Json::value_t::array, path, diag)) return;
    NameIndex job_names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto job = read_job(value[i], child_path(path, i), diag, plugin_names, job_names)) {
            out.jobs.push_back(std::move(*job));
        }
    }
}

}  // namespace weft::host
