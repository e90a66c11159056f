// weftd's exit codes: part of its interface (scripts and systemd read them), listed in --help.
#pragma once

namespace weft::cli {

enum ExitCode : int {
    kExitOk = 0,              // success, including a graceful shutdown on SIGINT or SIGTERM
    kExitRuntimeFailure = 1,  // the daemon failed while starting or running; for status and
                              // metrics: the admin endpoint cannot be reached or answered badly
    kExitUsage = 2,           // bad command line (reported by CLI11)
    kExitConfig = 3,          // the config file is missing, unreadable or invalid
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success (including a graceful shutdown on SIGINT or SIGTERM)\n"
    "  1  runtime failure (status, metrics: the daemon's admin socket cannot be reached\n"
    "     or gave a bad answer)\n"
    "  2  usage error\n"
    "  3  configuration error";

}  // namespace weft::cli
