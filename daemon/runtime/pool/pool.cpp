#include "runtime/pool/pool.hpp"

#include "runtime/util/stress.hpp"

namespace weft::pool::detail {
namespace {
long long ms_of(time::Duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}
}  // namespace

void stress_point() noexcept { WEFT_STRESS_POINT(); }

std::string exhausted_message(const PoolConfig& c, std::size_t in_use, std::size_t waiters,
                              time::Duration waited) {
    return "pool '" + c.name + "' exhausted: " + std::to_string(in_use) + " of " +
           std::to_string(c.max_size) + " in use, " + std::to_string(waiters) +
           " other(s) waiting, gave up after " + std::to_string(ms_of(waited)) + " ms";
}

std::string create_timeout_message(const PoolConfig& c, time::Duration waited,
                                   const std::string& last_error) {
    return "pool '" + c.name + "': no connection within " + std::to_string(ms_of(waited)) +
           " ms: creating failed: " + (last_error.empty() ? "still trying" : last_error);
}

}  // namespace weft::pool::detail
