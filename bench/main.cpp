// weft-bench and weft-bench-abi: `list`, or run one workload and print its JSON line.
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness.hpp"

namespace weft::bench {
std::vector<Workload>& registry() {
    static std::vector<Workload> workloads;
    return workloads;
}
}  // namespace weft::bench

namespace {

using namespace weft;

[[noreturn]] void usage(const char* error) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s list\n"
                 "       %s WORKLOAD [--flavor multi_thread|current_thread] "
                 "[--threads N] [--scale S] [--poll-timing on|coarse|off]\n",
                 program_invocation_short_name, error, program_invocation_short_name,
                 program_invocation_short_name);
    std::exit(2);
}

long max_rss_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
    auto& workloads = bench::registry();
    std::sort(workloads.begin(), workloads.end(),
              [](const auto& a, const auto& b) { return a.order < b.order; });
    if (argc < 2) usage("no workload given");
    std::string name = argv[1];
    if (name == "list") {
        for (const auto& w : workloads) std::printf("%s\n", w.name.c_str());
        return 0;
    }
    bench::Options opt;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
        std::string value = argv[++i];
        if (arg == "--flavor") {
            if (value == "multi_thread")
                opt.flavor = Flavor::multi_thread;
            else if (value == "current_thread")
                opt.flavor = Flavor::current_thread;
            else
                usage(("unknown flavor " + value).c_str());
        } else if (arg == "--threads") {
            opt.threads = std::strtoul(value.c_str(), nullptr, 10);
            if (opt.threads == 0) usage("--threads must be at least 1");
        } else if (arg == "--scale") {
            opt.scale = std::strtod(value.c_str(), nullptr);
            if (!(opt.scale > 0)) usage("--scale must be positive");
        } else if (arg == "--poll-timing") {
            if (value != "on" && value != "off" && value != "coarse")
                usage("--poll-timing must be on, coarse or off");
            opt.poll_timing = value != "off";
            opt.coarse_clock = value == "coarse";
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    auto it = std::find_if(workloads.begin(), workloads.end(),
                           [&](const auto& w) { return w.name == name; });
    if (it == workloads.end()) usage(("unknown workload " + name).c_str());

    bench::Result result;
    std::size_t threads = opt.flavor == Flavor::current_thread ? 1 : opt.threads;
    {
        Builder builder = opt.flavor == Flavor::current_thread
                              ? Builder::new_current_thread()
                              : Builder::new_multi_thread().worker_threads(opt.threads);
        Runtime rt = builder.poll_time_histogram(opt.poll_timing)
                         .poll_clock(opt.coarse_clock ? PollClock::coarse : PollClock::precise)
                         .build();
        result = it->run(rt, opt);
    }
    std::string line = "{\"workload\":\"" + name + "\",\"runtime\":\"weft\",\"flavor\":\"" +
                       (opt.flavor == Flavor::current_thread ? "current_thread" : "multi_thread") +
                       "\",\"threads\":" + std::to_string(threads) +
                       ",\"ops\":" + std::to_string(result.ops);
    char buf[128];
    std::snprintf(buf, sizeof buf, ",\"seconds\":%.6f,\"ops_per_sec\":%.1f", result.seconds,
                  result.seconds > 0 ? static_cast<double>(result.ops) / result.seconds : 0.0);
    line += buf;
    line += ",\"max_rss_kb\":" + std::to_string(max_rss_kb());
    if (opt.poll_timing)
        line += opt.coarse_clock ? ",\"poll_timing\":\"coarse\"" : ",\"poll_timing\":\"on\"";
    if (opt.scale != 1.0) {
        std::snprintf(buf, sizeof buf, ",\"scale\":%g", opt.scale);
        line += buf;
    }
    for (const auto& [key, value] : result.extra) line += ",\"" + key + "\":" + value;
    line += "}";
    std::printf("%s\n", line.c_str());
    return 0;
}
