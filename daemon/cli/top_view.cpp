#include "cli/top_view.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>

namespace weft::cli {
namespace {

using nlohmann::json;

double num(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& array_at(const json& j, const char* key) {
    static const json empty = json::array();
    const auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

// The element of `previous`'s array `key` named `name` (or with `index`), or null.
const json* find_named(const json* previous, const char* key, const std::string& name) {
    if (!previous) return nullptr;
    for (const auto& item : array_at(*previous, key))
        if (str(item, "name") == name) return &item;
    return nullptr;
}

// Rate of a counter between two snapshots (0 on the first frame).
double rate(const json& now, const json* before, const char* key, double dt) {
    if (!before || dt <= 0) return 0;
    return std::max(0.0, (num(now, key) - num(*before, key)) / dt);
}

std::string uptime(double seconds) {
    const auto s = static_cast<long>(seconds);
    if (s >= 86400) return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
    return fmt::format("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60);
}

// A span of time in its largest whole unit: "4s", "12m", "3h", "2d".
std::string span(double seconds) {
    const auto s = static_cast<long>(std::max(0.0, seconds));
    if (s >= 86400) return fmt::format("{}d", s / 86400);
    if (s >= 3600) return fmt::format("{}h", s / 3600);
    if (s >= 60) return fmt::format("{}m", s / 60);
    return fmt::format("{}s", s);
}

// A job's next run, relative to now: "in 4s", "in <1s", "due" (now or late), "-" (none).
std::string next_run_text(const json& job, double now) {
    const auto it = job.find("next_run");
    if (it == job.end() || !it->is_object()) return "-";
    const double left = num(*it, "unix_time") - now;
    if (left <= 0) return "due";
    return left < 1 ? "in <1s" : "in " + span(left);
}

// A job's last ended run: "ok 3s ago", "failed 12m ago", "cancelled 1h ago", "-" (none yet).
std::string last_run_text(const json& job, double now) {
    const auto it = job.find("last_run");
    if (it == job.end() || !it->is_object()) return "-";
    std::string result = str(*it, "result");
    if (result == "succeeded") result = "ok";
    return result + " " + span(now - num(*it, "unix_time")) + " ago";
}

std::string short_count(double v) {
    if (v >= 1e9) return fmt::format("{:.1f}G", v / 1e9);
    if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
    if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
    return fmt::format("{:.0f}", v);
}

class Screen {
   public:
    Screen(int width, int height) : width_(width), height_(height) {}
    bool full() const { return static_cast<int>(lines_.size()) >= height_; }
    int left() const { return height_ - static_cast<int>(lines_.size()); }
    void add(std::string line) {
        if (full()) return;
        if (static_cast<int>(line.size()) > width_) line.resize(static_cast<std::size_t>(width_));
        lines_.push_back(std::move(line));
    }
    std::vector<std::string> take() { return std::move(lines_); }

   private:
    int width_;
    int height_;
    std::vector<std::string> lines_;
};

struct PluginRow {
    std::string name;
    std::string state;
    double busy_pct, polls_per_s, live, spawned, failed, long_polls, blocking;
    std::string last_failure;
};

std::vector<PluginRow> plugin_rows(const TopFrame& f) {
    std::vector<PluginRow> rows;
    for (const auto& p : array_at(*f.current, "plugins")) {
        const json acc = p.value("accounting", json::object());
        const json* before = find_named(f.previous, "plugins", str(p, "name"));
        const json* before_acc =
            before && before->contains("accounting") ? &before->at("accounting") : nullptr;
        rows.push_back(
            PluginRow{str(p, "name"), str(p, "state"),
                      100 * rate(acc, before_acc, "busy_seconds", f.interval_seconds),
                      rate(acc, before_acc, "polls", f.interval_seconds), num(p, "live_tasks"),
                      num(acc, "spawned_tasks"), num(acc, "failed_tasks"), num(acc, "long_polls"),
                      num(acc, "blocking_jobs_running") + num(acc, "blocking_jobs_queued"),
                      str(acc, "last_failure")});
    }
    auto by = [&](const PluginRow& a, const PluginRow& b) {
        switch (f.sort) {
            case TopSort::name:
                return a.name < b.name;
            case TopSort::tasks:
                return a.live != b.live ? a.live > b.live : a.name < b.name;
            case TopSort::failures:
                return a.failed != b.failed ? a.failed > b.failed : a.name < b.name;
            case TopSort::busy:
                break;
        }
        return a.busy_pct != b.busy_pct ? a.busy_pct > b.busy_pct : a.name < b.name;
    };
    std::stable_sort(rows.begin(), rows.end(), by);
    return rows;
}

const char* sort_name(TopSort s) {
    switch (s) {
        case TopSort::name:
            return "name";
        case TopSort::tasks:
            return "tasks";
        case TopSort::failures:
            return "failures";
        case TopSort::busy:
            break;
    }
    return "busy";
}

}  // namespace

std::vector<std::string> render_top(const TopFrame& f) {
    Screen s(f.width, f.height);
    const json& now = *f.current;
    const json rt = now.value("runtime", json::object());
    const double dt = f.interval_seconds;
    s.add(fmt::format("weftd {}  pid {}  up {}  workers {}  tasks {}  global queue {}{}",
                      str(now, "version"), num(now, "pid"), uptime(num(now, "uptime_seconds")),
                      num(rt, "worker_threads"), num(rt, "alive_tasks"),
                      num(rt, "global_queue_depth"),
                      now.value("shutting_down", false) ? "  SHUTTING DOWN" : ""));
    s.add(fmt::format("sort: {}  (b)usy (n)ame (t)asks (f)ailures  (q)uit", sort_name(f.sort)));

    // Workers.
    s.add("");
    s.add(fmt::format("{:<7}{:>7}{:>10}{:>7}{:>9}{:>9}{:>12}{:>12}", "WORKER", "BUSY%", "POLLS/s",
                      "QUEUE", "PARKS", "STEALS", "POLL NOW", "LONGEST"));
    const json* prev_rt =
        f.previous && f.previous->contains("runtime") ? &f.previous->at("runtime") : nullptr;
    const auto& workers = array_at(rt, "workers");
    std::vector<std::string> warnings;
    for (std::size_t i = 0; i < workers.size(); ++i) {
        const json& w = workers[i];
        const json* before = nullptr;
        if (prev_rt && i < array_at(*prev_rt, "workers").size())
            before = &array_at(*prev_rt, "workers")[i];
        const double current = num(w, "current_poll_seconds");
        s.add(fmt::format("{:<7}{:>7.1f}{:>10}{:>7}{:>9}{:>9}{:>10.0f}ms{:>10.0f}ms", i,
                          std::min(100.0, 100 * rate(w, before, "busy_seconds", dt)),
                          short_count(rate(w, before, "polls", dt)), num(w, "local_queue_depth"),
                          short_count(num(w, "parks")), short_count(num(w, "steals")),
                          current * 1000, num(w, "longest_poll_seconds") * 1000));
        if (current >= 0.1)
            warnings.push_back(
                fmt::format("worker {} has been in one poll for {:.0f} ms", i, current * 1000));
    }

    // Plugins.
    auto rows = plugin_rows(f);
    // A poll is accounted when it ends: one that ran for seconds lands in one refresh. A plugin
    // cannot use more than every worker.
    const double most = 100 * std::max(1.0, num(rt, "worker_threads"));
    for (auto& r : rows) r.busy_pct = std::min(r.busy_pct, most);
    for (const auto& r : rows) {
        if (r.failed > 0 && !r.last_failure.empty())
            warnings.push_back(
                fmt::format("{}: {} failed task(s), last: {}", r.name, r.failed, r.last_failure));
        if (r.long_polls > 0)
            warnings.push_back(fmt::format("{}: {} long poll(s)", r.name, r.long_polls));
        if (r.state != "running" && r.state != "stopping")
            warnings.push_back(fmt::format("{}: {}", r.name, r.state));
    }
    for (const auto& c : array_at(now, "channels"))
        if (num(c, "dropped") > 0)
            warnings.push_back(fmt::format("channel {}: {} message(s) dropped", str(c, "name"),
                                           num(c, "dropped")));

    const bool tall = f.height > 24;
    const int warning_lines = std::min<int>(static_cast<int>(warnings.size()), tall ? 8 : 4);
    s.add("");
    s.add(fmt::format("{:<18}{:>7}{:>9}{:>7}{:>9}{:>8}{:>7}{:>6} {}", "PLUGIN", "BUSY%", "POLLS/s",
                      "TASKS", "SPAWNED", "FAILED", "LONG", "BLK", "STATE"));
    // Keep room for the warnings below (and their title and blank line).
    const int plugin_room = s.left() - (warning_lines > 0 ? warning_lines + 2 : 0);
    int shown = 0;
    for (const auto& r : rows) {
        if (shown >= plugin_room - (static_cast<int>(rows.size()) > plugin_room ? 1 : 0)) break;
        s.add(fmt::format("{:<18}{:>7.1f}{:>9}{:>7}{:>9}{:>8}{:>7}{:>6} {}", r.name.substr(0, 17),
                          r.busy_pct, short_count(r.polls_per_s), r.live, r.spawned, r.failed,
                          r.long_polls, r.blocking, r.state));
        ++shown;
    }
    if (shown < static_cast<int>(rows.size()))
        s.add(fmt::format("... {} more plugin(s)", rows.size() - static_cast<std::size_t>(shown)));

    if (warning_lines > 0) {
        s.add("");
        s.add("WARNINGS");
        for (int i = 0; i < warning_lines; ++i) s.add("  " + warnings[static_cast<std::size_t>(i)]);
    }

    if (tall) {
        s.add("");
        s.add(fmt::format("{:<20}{:<10}{:>7}{:>9}{:>9}{:>9}{:>9}", "CHANNEL", "KIND", "DEPTH",
                          "CAPACITY", "IN/s", "OUT/s", "DROPPED"));
        for (const auto& c : array_at(now, "channels")) {
            const json* before = find_named(f.previous, "channels", str(c, "name"));
            const double depth =
                std::max(0.0, num(c, "accepted") - num(c, "delivered") - num(c, "dropped"));
            s.add(fmt::format("{:<20}{:<10}{:>7}{:>9}{:>9}{:>9}{:>9}", str(c, "name").substr(0, 19),
                              str(c, "kind"), depth, num(c, "capacity"),
                              short_count(rate(c, before, "accepted", dt)),
                              short_count(rate(c, before, "delivered", dt)), num(c, "dropped")));
        }
        s.add("");
        s.add(fmt::format("{:<20}{:<16}{:>4}{:>8}{:>7}{:>6}  {:<9}{:<20}{}", "JOB", "PLUGIN", "RUN",
                          "RUNS", "FAILED", "SKIP", "NEXT", "LAST", "SCHEDULE"));
        for (const auto& j : array_at(now, "jobs")) {
            const json runs = j.value("runs", json::object());
            s.add(fmt::format(
                "{:<20}{:<16}{:>4}{:>8}{:>7}{:>6}  {:<9}{:<20}{}", str(j, "name").substr(0, 19),
                str(j, "plugin").substr(0, 15), j.value("running", false) ? "yes" : "",
                num(runs, "started"), num(runs, "failed"), num(runs, "skipped"),
                next_run_text(j, f.now_unix_seconds),
                last_run_text(j, f.now_unix_seconds).substr(0, 19), str(j, "schedule")));
        }
        const auto& pools = array_at(now, "pools");
        if (!pools.empty()) {
            s.add("");
            s.add(fmt::format("{:<20}{:>7}{:>7}{:>8}{:>9}", "POOL", "SIZE", "IDLE", "IN USE",
                              "WAITERS"));
            for (const auto& p : pools)
                s.add(fmt::format("{:<20}{:>7}{:>7}{:>8}{:>9}", str(p, "name").substr(0, 19),
                                  num(p, "size"), num(p, "idle"), num(p, "in_use"),
                                  num(p, "waiters")));
        }
    }
    return s.take();
}

}  // namespace weft::cli
