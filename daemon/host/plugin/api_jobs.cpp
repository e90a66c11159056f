// Host function table: job registration (plugin.h 6.10). The scheduler that runs the registered
// functions is host/jobs/.
#include <string>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {
namespace {

weft_status job_register(weft_host* h, const char* name, weft_job_start_fn start, void* user_data,
                         weft_job_drop_fn drop) {
    if (!h || !name || !start) return invalid("weft_job_register: NULL host, name or start");
    if (name[0] == '\0') return invalid("weft_job_register: empty name");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        if (plugin.shutdown_token().is_fired() || plugin.state() == PluginState::failed) {
            set_last_error("weft_job_register: plugin '" + plugin.name() +
                           "' is shutting down or failed: no new job tasks");
            return WEFT_ERR_SHUTDOWN;
        }
        switch (plugin.job_functions().add(JobFunction{name, start, user_data, drop})) {
            case JobRegistrations::AddResult::added:
                plugin.log().debug("registered job task '{}'", name);
                return WEFT_OK;
            case JobRegistrations::AddResult::exists:
                set_last_error(std::string("weft_job_register: this plugin already registered a "
                                           "job task named '") +
                               name + "'");
                return WEFT_ERR_EXISTS;
            case JobRegistrations::AddResult::closed:
                break;
        }
        set_last_error(std::string("weft_job_register: '") + name +
                       "' is too late: weftd bound the configured jobs once every plugin had "
                       "started; register job tasks in init or start");
        return WEFT_ERR_UNSUPPORTED;
    });
}

}  // namespace

void fill_job_api(weft_host_api& api) noexcept { api.job_register = job_register; }

}  // namespace weft::host
