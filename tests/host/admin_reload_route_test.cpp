// POST /reload and /status's last_reload (host/admin/admin_routes.hpp, reload_json.hpp): the
// routes with a reload action standing in for weftd's reloader, which the daemon tests run for
// real (tests/daemon/reload_test.cpp).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "host/admin/admin_routes.hpp"
#include "host/admin/status_json.hpp"

using weft::host::ReloadOutcome;
using weft::host::admin::AdminRoutes;
using weft::host::admin::AdminSnapshot;
using weft::host::admin::HttpRequest;
using weft::host::admin::HttpResponse;

namespace {

AdminSnapshot empty_snapshot(bool) { return AdminSnapshot{}; }

ReloadOutcome outcome(ReloadOutcome::Result result) {
    ReloadOutcome o;
    o.result = result;
    o.number = 7;
    o.trigger = "admin endpoint";
    o.file = "weftd.json";
    o.at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    if (result == ReloadOutcome::Result::invalid)
        o.errors = {"weftd.json: /runtime/budget: must be between 1 and 1000000, got 0"};
    else
        o.changes = {"added plugin 'b'"};
    return o;
}

// POST /reload's answer is slow (the server runs it on a thread of its own): run it here.
HttpResponse answer_of(const AdminRoutes& routes, HttpRequest request) {
    HttpResponse response = routes.handle(request);
    if (!response.later) return response;
    CHECK(response.body.empty());
    return response.later();
}

}  // namespace

TEST_CASE("admin routes: POST /reload answers with the reload's outcome, as a slow answer") {
    auto result = ReloadOutcome::Result::applied;
    int calls = 0;
    AdminRoutes routes(empty_snapshot, [&] {
        ++calls;
        return outcome(result);
    });
    // Nothing runs until the server calls the slow answer.
    const HttpResponse slow = routes.handle({"POST", "/reload"});
    REQUIRE(slow.later);
    CHECK(calls == 0);
    auto applied = slow.later();
    CHECK(applied.status == 200);
    CHECK(applied.content_type == "application/json");
    const auto body = nlohmann::json::parse(applied.body);
    CHECK(body.at("result") == "applied");
    CHECK(body.at("number") == 7);
    CHECK(body.at("changes") == nlohmann::json::array({"added plugin 'b'"}));
    CHECK(body.at("time") == "2027-01-15T08:00:00Z");
    CHECK(body.at("unix_time") == 1'800'000'000);

    result = ReloadOutcome::Result::invalid;
    auto invalid = answer_of(routes, {"POST", "/reload"});
    CHECK(invalid.status == 422);
    CHECK(nlohmann::json::parse(invalid.body).at("errors").size() == 1);
    CHECK(calls == 2);

    // Only POST reloads; once the shutdown began nothing does.
    auto get = routes.handle({"GET", "/reload"});
    CHECK(get.status == 405);
    REQUIRE(get.headers.size() == 1);
    CHECK(get.headers[0] == std::pair<std::string, std::string>{"Allow", "POST"});
    routes.begin_shutdown();
    CHECK(routes.handle({"POST", "/reload"}).status == 503);
    CHECK(calls == 2);
}

TEST_CASE("admin routes: POST /reload without a reload action answers 503") {
    AdminRoutes routes(empty_snapshot);
    CHECK(routes.handle({"POST", "/reload"}).status == 503);
}

TEST_CASE("admin status: last_reload is null before the first reload and the outcome after") {
    AdminSnapshot s;
    CHECK(weft::host::admin::render_status(s).at("last_reload").is_null());
    s.last_reload = outcome(ReloadOutcome::Result::invalid);
    const auto last = weft::host::admin::render_status(s).at("last_reload");
    CHECK(last.at("result") == "invalid");
    CHECK(last.at("trigger") == "admin endpoint");
    CHECK(last.at("errors").at(0) ==
          "weftd.json: /runtime/budget: must be between 1 and 1000000, got 0");
}
