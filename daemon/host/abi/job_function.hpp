// JobFunction: one task function a plugin registered for jobs (plugin.h 6.10,
// weft_job_register), as the ABI hands it over: the plugin's table of them
// (plugin/job_registrations.hpp) keeps these, and a job bound to one (jobs/job_binding.hpp)
// keeps a copy.
#pragma once

#include <string>

#include "weft/plugin.h"

namespace weft::host {

struct JobFunction {
    std::string name;
    weft_job_start_fn start = nullptr;
    void* user_data = nullptr;
    weft_job_drop_fn drop = nullptr;
};

}  // namespace weft::host
