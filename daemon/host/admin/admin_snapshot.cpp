#include "host/admin/admin_snapshot.hpp"

#include <unistd.h>

#include "weft/version.hpp"

namespace weft::host::admin {

AdminSnapshot take_snapshot(const Handle& runtime, const Coordinator& host,
                            std::chrono::steady_clock::time_point started, bool shutting_down) {
    AdminSnapshot s;
    s.version = std::string(build_info::kVersion);
    s.pid = static_cast<long>(::getpid());
    s.uptime_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    s.shutting_down = shutting_down;
    s.shutdown_bound_ms = host.shutdown_bound_ms();
    s.runtime = runtime.metrics();
    s.plugins = host.plugins();
    s.jobs = host.jobs();
    s.channels = host.registry().report();
    s.pools = host.registry().pools().report();
    s.last_reload = host.last_reload();
    return s;
}

}  // namespace weft::host::admin
