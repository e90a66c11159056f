/* Job task functions through the C ABI alone (plugin.h 6.10), for jobs_test.cpp:
 *   tick     each run is a task that logs "c_jobs: tick run N of JOB" and finishes
 *   fails    the start function returns WEFT_ERR_PLUGIN
 *   no_poll  the start function returns WEFT_OK without a poll function (a plugin bug)
 * init logs what weft_job_register returns for bad arguments and a duplicate name; each
 * registration's drop logs, so the test sees it run before destroy. */
#include <stdlib.h>

#include "weft/plugin.h"

struct instance {
    weft_host* host;
};

struct registration {
    weft_host* host;
    const char* name;
};

struct tick {
    weft_host* host;
    uint64_t run;
    char job[64];
};

static weft_status tick_poll(void* state, weft_context* cx) {
    struct tick* t = (struct tick*)state;
    (void)cx;
    weft_logf(t->host, WEFT_LOG_INFO, "c_jobs: tick run %llu of %s", (unsigned long long)t->run,
              t->job);
    return WEFT_OK;
}

static void tick_drop(void* state) { free(state); }

static weft_status tick_start(void* user_data, weft_job_run* run) {
    struct registration* r = (struct registration*)user_data;
    struct tick* t = (struct tick*)calloc(1, sizeof *t);
    if (!t) return WEFT_ERR_NO_MEMORY;
    t->host = r->host;
    t->run = run->run;
    snprintf(t->job, sizeof t->job, "%s", run->job_name);
    run->poll = tick_poll;
    run->state = t;
    run->drop = tick_drop;
    return WEFT_OK;
}

static weft_status fails_start(void* user_data, weft_job_run* run) {
    (void)user_data;
    (void)run;
    return WEFT_ERR_PLUGIN;
}

static weft_status no_poll_start(void* user_data, weft_job_run* run) {
    (void)user_data;
    (void)run;
    return WEFT_OK;
}

static void drop_registration(void* user_data) {
    struct registration* r = (struct registration*)user_data;
    weft_logf(r->host, WEFT_LOG_INFO, "c_jobs: registration dropped %s", r->name);
    free(r);
}

static weft_status register_one(weft_host* host, const char* name, weft_job_start_fn start) {
    weft_status s;
    struct registration* r = (struct registration*)calloc(1, sizeof *r);
    if (!r) return WEFT_ERR_NO_MEMORY;
    r->host = host;
    r->name = name;
    s = weft_job_register(host, name, start, r, drop_registration);
    if (s != WEFT_OK) free(r);
    return s;
}

static weft_status init(const weft_init_args* args, void** out, char* error, size_t error_size) {
    struct instance* instance;
    weft_host* host = args->host;
    weft_status s;
    weft_logf(host, WEFT_LOG_INFO, "c_jobs: NULL name gave %s",
              weft_status_str(weft_job_register(host, NULL, tick_start, NULL, NULL)));
    weft_logf(host, WEFT_LOG_INFO, "c_jobs: empty name gave %s",
              weft_status_str(weft_job_register(host, "", tick_start, NULL, NULL)));
    weft_logf(host, WEFT_LOG_INFO, "c_jobs: NULL start gave %s",
              weft_status_str(weft_job_register(host, "x", NULL, NULL, NULL)));
    if (register_one(host, "tick", tick_start) != WEFT_OK ||
        register_one(host, "fails", fails_start) != WEFT_OK ||
        register_one(host, "no_poll", no_poll_start) != WEFT_OK) {
        weft_error_set(error, error_size, "job_register: %s", weft_last_error(host));
        return WEFT_ERR_PLUGIN;
    }
    /* Apart: weft_last_error must be read after the call it describes. */
    s = weft_job_register(host, "tick", tick_start, NULL, NULL);
    weft_logf(host, WEFT_LOG_INFO, "c_jobs: duplicate gave %s (%s)", weft_status_str(s),
              weft_last_error(host));
    instance = (struct instance*)calloc(1, sizeof *instance);
    if (!instance) return WEFT_ERR_NO_MEMORY;
    instance->host = host;
    *out = instance;
    return WEFT_OK;
}

static void destroy(void* p) {
    struct instance* instance = (struct instance*)p;
    weft_log(instance->host, WEFT_LOG_INFO, "c_jobs: destroy");
    free(instance);
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("c_jobs", "1.0.0"), init, NULL, NULL, destroy, NULL, NULL, NULL};
    return &d;
}
