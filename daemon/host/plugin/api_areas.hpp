// One function per area of the host function table, each filling that area's entries.
#pragma once

#include "weft/plugin.h"

namespace weft::host {

void fill_core_api(weft_host_api& api) noexcept;     // host, log, metrics, context, waker, op
void fill_task_api(weft_host_api& api) noexcept;     // tasks, blocking pool
void fill_time_api(weft_host_api& api) noexcept;     // time, shutdown token
void fill_channel_api(weft_host_api& api) noexcept;  // named channels
void fill_sync_api(weft_host_api& api) noexcept;     // named Notify, named semaphores
void fill_job_api(weft_host_api& api) noexcept;      // job registration
void fill_config_api(weft_host_api& api) noexcept;   // the plugin's config by JSON pointer
void fill_net_api(weft_host_api& api) noexcept;      // sockets and name resolution (ABI 1.2)
void fill_metrics_api(weft_host_api& api) noexcept;  // plugin metrics, state directory (1.3)
void fill_pool_api(weft_host_api& api) noexcept;     // named pools (ABI 1.3)

}  // namespace weft::host
