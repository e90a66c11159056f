// A C++ plugin written without the SDK: one task's poll throws, another's returns an error
// status, a third finishes normally. The host must log both failures with the plugin's name,
// keep the plugin running, and report the outcomes through join handles.
#include <stdexcept>

#include "weft/plugin.h"

namespace {

struct Instance {
    weft_host* host;
    weft_task* throwing = nullptr;
    weft_task* failing = nullptr;
    weft_task* fine = nullptr;
};

weft_status throws(void*, weft_context*) { throw std::logic_error("task exploded"); }
weft_status fails(void*, weft_context*) { return WEFT_ERR_CLOSED; }
weft_status finishes(void*, weft_context*) { return WEFT_OK; }

struct Joiner {
    Instance* instance;
    int step = 0;
};

// Joins the three tasks one after the other and logs their outcomes.
weft_status join_all(void* state, weft_context* cx) {
    auto* j = static_cast<Joiner*>(state);
    weft_task* tasks[] = {j->instance->throwing, j->instance->failing, j->instance->fine};
    while (j->step < 3) {
        weft_status s = weft_task_join(cx, tasks[j->step]);
        if (s == WEFT_PENDING) return WEFT_PENDING;
        weft_logf(j->instance->host, WEFT_LOG_INFO, "join %d: %s", j->step, weft_status_str(s));
        ++j->step;
    }
    return WEFT_OK;
}
void drop_joiner(void* state) { delete static_cast<Joiner*>(state); }

weft_status init(const weft_init_args* args, void** out, char* error, size_t error_size) {
    auto* instance = new Instance{args->host};
    *out = instance;
    if (weft_task_spawn(args->host, throws, nullptr, nullptr, &instance->throwing) != WEFT_OK ||
        weft_task_spawn(args->host, fails, nullptr, nullptr, &instance->failing) != WEFT_OK ||
        weft_task_spawn(args->host, finishes, nullptr, nullptr, &instance->fine) != WEFT_OK) {
        weft_error_set(error, error_size, "spawn failed: %s", weft_last_error(args->host));
        return WEFT_ERR_PLUGIN;
    }
    auto* joiner = new Joiner{instance};
    if (weft_task_spawn(args->host, join_all, joiner, drop_joiner, nullptr) != WEFT_OK) {
        delete joiner;
        return WEFT_ERR_PLUGIN;
    }
    return WEFT_OK;
}

void destroy(void* p) {
    auto* instance = static_cast<Instance*>(p);
    weft_task_release(instance->throwing);
    weft_task_release(instance->failing);
    weft_task_release(instance->fine);
    delete instance;
}

}  // namespace

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("task-throws", "1.0.0"),
                                             init,
                                             nullptr,
                                             nullptr,
                                             destroy,
                                             nullptr,
                                             nullptr,
                                             nullptr};
    return &d;
}
