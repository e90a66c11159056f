#include "cli/runtime_setup.hpp"

#include <chrono>

namespace weft::cli {

Runtime build_runtime(const host::RuntimeConfig& config) {
    Builder builder = config.flavor == Flavor::CurrentThread ? Builder::new_current_thread()
                                                             : Builder::new_multi_thread();
    if (config.worker_threads) builder.worker_threads(*config.worker_threads);
    builder.max_blocking_threads(config.max_blocking_threads)
        .thread_keep_alive(std::chrono::milliseconds(config.thread_keep_alive_ms))
        .global_queue_interval(config.global_queue_interval)
        .event_interval(config.event_interval)
        .budget(config.budget)
        .lifo_slot(config.lifo_slot);
    return builder.build();
}

}  // namespace weft::cli
