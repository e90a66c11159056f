// The benchmark harness: workloads register themselves; main() parses
// `weft-bench WORKLOAD [--flavor F] [--threads N] [--scale S] [--poll-timing on|coarse|off]`,
// builds the runtime, runs one workload and prints one JSON line (shared/BENCHMARKS.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/runtime.hpp"

namespace weft::bench {

struct Options {
    Flavor flavor = Flavor::multi_thread;
    std::size_t threads = 2;
    double scale = 1.0;
    // --poll-timing on|coarse: the runtime times every poll with the precise or the coarse clock
    // (weftd uses coarse), to measure its cost against off.
    bool poll_timing = false;
    bool coarse_clock = false;
    // A size multiplied by --scale, never below 1.
    [[nodiscard]] std::uint64_t scaled(std::uint64_t n) const {
        auto v = static_cast<std::uint64_t>(static_cast<double>(n) * scale);
        return v == 0 ? 1 : v;
    }
};

struct Result {
    std::uint64_t ops = 0;
    double seconds = 0;
    // Extra JSON fields, already formatted as values (numbers or quoted strings).
    std::vector<std::pair<std::string, std::string>> extra;
};

// Runs the workload on a runtime that is already built; times the work only.
using WorkloadFn = std::function<Result(Runtime&, const Options&)>;

struct Workload {
    std::string name;
    int order;  // position in `list`: the shared workloads first, in BENCHMARKS.md's order
    WorkloadFn run;
};

std::vector<Workload>& registry();

struct Register {
    Register(std::string name, int order, WorkloadFn fn) {
        registry().push_back({std::move(name), order, std::move(fn)});
    }
};

// Times `f` with the steady clock, in seconds.
template <class F>
double time_seconds(F&& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace weft::bench
