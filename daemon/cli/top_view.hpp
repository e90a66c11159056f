// The screen of `weftd top`: two /status snapshots a refresh apart become lines of text, so the
// terminal code (top_command.cpp) only draws them.
//
// Sections, in order, each cut to what fits: a header (version, pid, uptime, workers, tasks),
// WORKERS (busy % over the refresh, polls/s, local queue, parks, steals, the running poll),
// PLUGINS (busy %, polls/s, live tasks, spawned, failed, long polls, blocking jobs, state),
// WARNINGS (a poll running past the threshold, failed tasks with their last failure, plugins not
// running, channels dropping messages), then, on a terminal taller than 24 lines, CHANNELS (depth,
// capacity, in/s, out/s, dropped), JOBS (running, runs, failures, skips, next run, last result,
// schedule) and POOLS.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace weft::cli {

enum class TopSort { busy, name, tasks, failures };

struct TopFrame {
    const nlohmann::json* previous = nullptr;  // the snapshot before, or null on the first frame
    const nlohmann::json* current = nullptr;
    double interval_seconds = 1;  // between the two
    TopSort sort = TopSort::busy;
    double now_unix_seconds = 0;  // the wall clock when `current` was fetched (jobs' times)
    int width = 80;
    int height = 24;
};

// At most `height` lines, each at most `width` characters.
[[nodiscard]] std::vector<std::string> render_top(const TopFrame& frame);

}  // namespace weft::cli
