/* A well-behaved plugin in plain C that logs each hook, so tests can check the order:
 * init (with its config), start, its task seeing the shutdown token, stop, destroy. With
 * {"stubborn": true} its task ignores the token, so the host must cancel it after the grace
 * period (its drop function logs). validate rejects a config with "bad": true. */
#include <stdlib.h>
#include <string.h>

#include "weft/plugin.h"

struct instance {
    weft_host* host;
    int stubborn;
};

struct waiter {
    struct instance* instance;
    weft_op* op;
};

static weft_status wait_for_shutdown(void* state, weft_context* cx) {
    struct waiter* w = (struct waiter*)state;
    weft_status s;
    if (w->instance->stubborn) return WEFT_PENDING; /* never woken, never done */
    s = weft_shutdown_wait(cx, w->instance->host, &w->op);
    if (s == WEFT_PENDING) return s;
    weft_log(w->instance->host, WEFT_LOG_INFO, "lifecycle: task saw the shutdown token");
    return WEFT_OK;
}

static void drop_waiter(void* state) {
    struct waiter* w = (struct waiter*)state;
    weft_op_cancel(&w->op);
    weft_log(w->instance->host, WEFT_LOG_INFO, "lifecycle: task dropped");
    free(w);
}

static weft_status init(const weft_init_args* args, void** out, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)calloc(1, sizeof *instance);
    struct waiter* w;
    if (!instance) return WEFT_ERR_NO_MEMORY;
    instance->host = args->host;
    instance->stubborn = strstr(args->config_json, "\"stubborn\":true") != NULL;
    weft_logf(args->host, WEFT_LOG_INFO, "lifecycle: init name=%s config=%s", args->instance_name,
              args->config_json);
    w = (struct waiter*)calloc(1, sizeof *w);
    if (!w) {
        free(instance);
        return WEFT_ERR_NO_MEMORY;
    }
    w->instance = instance;
    if (weft_task_spawn(args->host, wait_for_shutdown, w, drop_waiter, NULL) != WEFT_OK) {
        weft_error_set(error, error_size, "spawn: %s", weft_last_error(args->host));
        free(w);
        free(instance);
        return WEFT_ERR_PLUGIN;
    }
    *out = instance;
    return WEFT_OK;
}

static weft_status start(void* p, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)p;
    (void)error;
    (void)error_size;
    weft_log(instance->host, WEFT_LOG_INFO, "lifecycle: start");
    return WEFT_OK;
}

static weft_status stop(void* p, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)p;
    (void)error;
    (void)error_size;
    weft_log(instance->host, WEFT_LOG_INFO, "lifecycle: stop");
    return WEFT_OK;
}

static void destroy(void* p) {
    struct instance* instance = (struct instance*)p;
    weft_log(instance->host, WEFT_LOG_INFO, "lifecycle: destroy");
    free(instance);
}

static weft_status validate(const char* config, size_t len, char* error, size_t error_size) {
    (void)len;
    if (strstr(config, "\"bad\":true")) {
        weft_error_set(error, error_size, "\"bad\" must not be true");
        return WEFT_ERR_INVALID_ARGUMENT;
    }
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("lifecycle", "2.3.4"),
                                             init,
                                             start,
                                             stop,
                                             destroy,
                                             validate,
                                             NULL,
                                             NULL};
    return &d;
}
