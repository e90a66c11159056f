// ReloadOutcome: what one live reload (SIGHUP, `weftd reload`) came to, for the log, the answer
// to `weftd reload` and the `last_reload` of /status.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace weft::host {

struct ReloadOutcome {
    enum class Result {
        applied,  // the file was valid: its difference from the running config is applied
        invalid,  // the file had errors: nothing changed
        ignored,  // the shutdown had begun: nothing changed
    };
    Result result = Result::invalid;
    std::uint64_t number = 0;  // 1 for the daemon's first reload, and so on
    std::string trigger;       // "SIGHUP", "admin endpoint"
    std::string file;
    std::chrono::system_clock::time_point at{};  // when it finished
    // Every error of the file, as check-config prints them ("<file>: /jobs/0/task: ...").
    std::vector<std::string> errors;
    // What changed, one item each ("added plugin 'b'", "restarted plugin 'c'", "log level info ->
    // debug"); empty when nothing did.
    std::vector<std::string> changes;
    // What changed in the file but is not applied before a restart ("runtime").
    std::vector<std::string> needs_restart;
    // Failures while applying a valid file (a plugin that failed to start): the rest applied.
    std::vector<std::string> failures;

    [[nodiscard]] bool ok() const noexcept { return result == Result::applied; }
};

[[nodiscard]] inline const char* to_string(ReloadOutcome::Result r) noexcept {
    switch (r) {
        case ReloadOutcome::Result::applied:
            return "applied";
        case ReloadOutcome::Result::invalid:
            return "invalid";
        case ReloadOutcome::Result::ignored:
            return "ignored";
    }
    return "unknown";
}

}  // namespace weft::host
