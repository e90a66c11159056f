// `weftd top [-c FILE | --socket PATH]`: a live view of a running daemon (top_view.hpp), from its
// admin socket's /status once a second, drawn with ncurses. Keys: b n t f sort the plugins (busy,
// name, tasks, failures), q quits. No daemon on the socket: one line on stderr and exit 1, before
// the terminal is touched. A daemon that goes away while shown: the last screen stays, marked, and
// top retries each second.
#include <curses.h>
#include <fmt/core.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/admin_query.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/top_view.hpp"
#include "host/admin/unix_http_client.hpp"

namespace weft::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<nlohmann::json> fetch_status(const std::filesystem::path& socket, std::string& why) {
    const auto fetched = host::admin::http_request_unix(socket, "GET", "/status");
    if (!fetched.reply) {
        why = fetched.error;
        return std::nullopt;
    }
    if (fetched.reply->status != 200) {
        why = fmt::format("GET /status answered {}", fetched.reply->status);
        return std::nullopt;
    }
    auto status = nlohmann::json::parse(fetched.reply->body, nullptr, false);
    if (status.is_discarded() || !status.is_object()) {
        why = "/status is not a JSON object";
        return std::nullopt;
    }
    return status;
}

// ncurses for the lifetime of the view; the terminal is restored however top ends.
class Terminal {
   public:
    Terminal() {
        initscr();
        cbreak();
        noecho();
        curs_set(0);
        keypad(stdscr, TRUE);
        timeout(100);  // getch waits at most 100 ms: keys are handled between refreshes
    }
    ~Terminal() { endwin(); }
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;
};

void draw(const std::vector<std::string>& lines, const std::string& problem) {
    erase();
    int row = 0;
    for (const auto& line : lines) {
        const bool title = !line.empty() && line[0] >= 'A' && line[0] <= 'Z' &&
                           line.find_first_of("abcdefghijklmnopqrstuvwxyz") > 6;
        if (title) attron(A_REVERSE);
        mvaddnstr(row++, 0, line.c_str(), COLS);
        if (title) attroff(A_REVERSE);
    }
    if (!problem.empty()) {
        attron(A_BOLD);
        mvaddnstr(LINES - 1, 0, ("daemon unreachable: " + problem).c_str(), COLS);
        attroff(A_BOLD);
    }
    refresh();
}

}  // namespace

int top_command(const AdminOptions& options) {
    auto socket_or_code = admin_socket(options);
    if (const int* code = std::get_if<int>(&socket_or_code)) return *code;
    const auto socket = std::get<std::filesystem::path>(socket_or_code);
    std::string why;
    auto current = fetch_status(socket, why);
    if (!current) {
        fmt::print(stderr, "weftd top: no daemon answers on {}: {}\n", socket.string(), why);
        return kExitRuntimeFailure;
    }
    std::optional<nlohmann::json> previous;
    auto fetched_at = Clock::now();
    // The jobs' next and last runs are shown relative to when their snapshot was taken.
    const auto wall_seconds = [] {
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    double now_unix = wall_seconds();
    double interval = 1;
    TopSort sort = TopSort::busy;
    std::string problem;
    const Terminal terminal;
    bool redraw = true;
    for (;;) {
        if (redraw) {
            TopFrame frame;
            frame.previous = previous ? &*previous : nullptr;
            frame.current = &*current;
            frame.interval_seconds = interval;
            frame.sort = sort;
            frame.now_unix_seconds = now_unix;
            frame.width = COLS;
            frame.height = LINES - (problem.empty() ? 0 : 1);
            draw(render_top(frame), problem);
            redraw = false;
        }
        const int key = getch();
        switch (key) {
            case 'q':
            case 'Q':
                return kExitOk;
            case 'b':
                sort = TopSort::busy;
                redraw = true;
                break;
            case 'n':
                sort = TopSort::name;
                redraw = true;
                break;
            case 't':
                sort = TopSort::tasks;
                redraw = true;
                break;
            case 'f':
                sort = TopSort::failures;
                redraw = true;
                break;
            case KEY_RESIZE:
                redraw = true;
                break;
            default:
                break;
        }
        const auto now = Clock::now();
        if (now - fetched_at >= std::chrono::seconds(1)) {
            if (auto next = fetch_status(socket, why)) {
                interval = std::chrono::duration<double>(now - fetched_at).count();
                previous = std::move(current);
                current = std::move(next);
                now_unix = wall_seconds();
                problem.clear();
            } else {
                problem = why;
            }
            fetched_at = now;
            redraw = true;
        }
    }
}

}  // namespace weft::cli
