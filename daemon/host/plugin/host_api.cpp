// The host function table (plugin.h section 6). Each api_<area>.cpp fills the entries of its
// area; this file puts the table together once.
#include "host/abi/abi_objects.hpp"
#include "host/plugin/api_areas.hpp"

namespace weft::host {

const weft_host_api& host_api() noexcept {
    static const weft_host_api table = [] {
        weft_host_api api{};
        api.size = sizeof api;
        api.abi_major = WEFT_PLUGIN_ABI_MAJOR;
        api.abi_minor = WEFT_PLUGIN_ABI_MINOR;
        fill_core_api(api);
        fill_task_api(api);
        fill_time_api(api);
        fill_channel_api(api);
        fill_sync_api(api);
        fill_job_api(api);
        fill_config_api(api);
        fill_net_api(api);
        fill_metrics_api(api);
        fill_pool_api(api);
        return api;
    }();
    return table;
}

}  // namespace weft::host
