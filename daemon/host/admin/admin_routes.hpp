// AdminRoutes: what the admin endpoint answers, request by request.
//
//   GET /health   200 "ok", or 503 "shutting down" once begin_shutdown() was called
//   GET /metrics  200, Prometheus text (metrics_text.hpp)
//   GET /status   200, JSON (status_json.hpp)
//   GET /tasks    200, JSON: every live plugin task and its warnings (task_view_json.hpp); 404
//                 when no task source was given
//   POST /reload  a live reload of the config file (as SIGHUP), answered once it is over with its
//                 outcome as JSON (reload_json.hpp): 200 applied, 422 the file is invalid (nothing
//                 changed), 503 ignored (shutting down, or no reload action was given). A slow
//                 answer (HttpResponse::later): the reload runs on a thread of the server's while
//                 the endpoint answers other requests.
//   another path  404;  another method  405 with "Allow: GET, HEAD" (on /reload "Allow: POST")
// HEAD is answered as GET (the server leaves the body out), as HTTP asks of every server.
//
// Thread-safety: handle() may run on any thread, concurrently with begin_shutdown(); the
// snapshot source must be callable from any thread.
#pragma once

#include <atomic>
#include <functional>

#include "host/admin/admin_snapshot.hpp"
#include "host/admin/http_types.hpp"
#include "host/daemon/reload_outcome.hpp"
#include "host/plugin/task_watch.hpp"

namespace weft::host::admin {

// Reads the daemon's state for one request; its argument says whether shutdown began.
using SnapshotSource = std::function<AdminSnapshot(bool shutting_down)>;
// Runs a live reload and returns its outcome (weftd: on its main thread, one at a time).
using ReloadAction = std::function<ReloadOutcome()>;
// Reads the task view (any thread).
using TasksSource = std::function<std::vector<PluginTasks>()>;

class AdminRoutes {
   public:
    explicit AdminRoutes(SnapshotSource source, ReloadAction reload = {}, TasksSource tasks = {})
        : source_(std::move(source)), reload_(std::move(reload)), tasks_(std::move(tasks)) {}

    [[nodiscard]] HttpResponse handle(const HttpRequest& request) const;
    void begin_shutdown() noexcept { shutting_down_.store(true, std::memory_order_relaxed); }
    [[nodiscard]] bool shutting_down() const noexcept {
        return shutting_down_.load(std::memory_order_relaxed);
    }

   private:
    [[nodiscard]] HttpResponse reload() const;
    [[nodiscard]] static HttpResponse reload_answer(const ReloadOutcome& outcome);

    SnapshotSource source_;
    ReloadAction reload_;
    TasksSource tasks_;
    std::atomic<bool> shutting_down_{false};
};

}  // namespace weft::host::admin
