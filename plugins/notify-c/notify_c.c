/* notify-c: waits on a named Notify and logs each wake; written in plain C against plugin.h
 * alone, to show that the C ABI is enough.
 *
 * Config: {"notify": "tick", "ack": "tock"}
 *   notify  the Notify to wait on (required)
 *   ack     optional: a Notify to notify_one after each wake (lets a peer pace itself)
 *
 * One task, a hand-written poll function: it polls the shutdown token and the Notify in the same
 * poll, so it stops as soon as the daemon shuts down. Each wait keeps its operation slot across
 * polls, as plugin.h's poll protocol asks.
 *
 * init reads its config through the host (weft_config_get_string, plugin.h 6.11). validate runs
 * without a host (weftd check-config), so it keeps a small scanner of its own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft/plugin.h"

#define NAME_MAX_LEN 128

struct notify_c {
    weft_host* host;
    weft_notify* notify;
    weft_notify* ack;
    char notify_name[NAME_MAX_LEN];
    uint64_t wakes;
    weft_op* shutdown_op;
    weft_op* wait_op;
};

/* Finds "key": "value" in the (compact, host-produced) config JSON. Returns 1 and copies the
 * value, 0 when the key is absent, -1 when the value is not a plain string that fits. */
static int config_string(const char* json, const char* key, char* out, size_t out_size) {
    char pattern[NAME_MAX_LEN + 4];
    const char* p;
    size_t n = 0;
    if (strlen(key) + 3 > sizeof pattern) return -1;
    pattern[0] = '"';
    strcpy(pattern + 1, key);
    strcat(pattern, "\"");
    p = strstr(json, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
    if (*p++ != ':') return -1;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
    if (*p++ != '"') return -1;
    while (*p && *p != '"' && *p != '\\') {
        if (n + 1 >= out_size) return -1;
        out[n++] = *p++;
    }
    if (*p != '"' || n == 0) return -1;
    out[n] = '\0';
    return 1;
}

static weft_status check_config(const char* json, char* notify, char* ack, char* error,
                                size_t error_size) {
    int r = config_string(json, "notify", notify, NAME_MAX_LEN);
    if (r <= 0) {
        weft_error_set(error, error_size,
                       "\"notify\" must name the Notify to wait on (a non-empty string of at "
                       "most %d characters without escapes)",
                       NAME_MAX_LEN - 1);
        return WEFT_ERR_INVALID_ARGUMENT;
    }
    ack[0] = '\0';
    if (config_string(json, "ack", ack, NAME_MAX_LEN) < 0) {
        weft_error_set(error, error_size, "\"ack\", if given, must be a plain string");
        return WEFT_ERR_INVALID_ARGUMENT;
    }
    return WEFT_OK;
}

static weft_status poll_task(void* state, weft_context* cx) {
    struct notify_c* p = (struct notify_c*)state;
    for (;;) {
        weft_status s = weft_shutdown_wait(cx, p->host, &p->shutdown_op);
        if (s == WEFT_OK) {
            weft_logf(p->host, WEFT_LOG_INFO, "notify-c: stopping after %llu wakes",
                      (unsigned long long)p->wakes);
            return WEFT_OK;
        }
        s = weft_notify_notified(cx, p->notify, &p->wait_op);
        if (s == WEFT_PENDING) return WEFT_PENDING;
        if (s != WEFT_OK) return s;
        ++p->wakes;
        weft_logf(p->host, WEFT_LOG_INFO, "notify-c: woken by '%s' (wake #%llu)", p->notify_name,
                  (unsigned long long)p->wakes);
        if (p->ack) weft_notify_notify_one(p->ack);
    }
}

/* The task's state is the instance itself; destroy frees it, after the task was dropped. */
static void drop_task(void* state) {
    struct notify_c* p = (struct notify_c*)state;
    weft_op_cancel(&p->shutdown_op);
    weft_op_cancel(&p->wait_op);
}

/* Reads a non-empty string of the config by JSON pointer; WEFT_ERR_NOT_FOUND when absent. */
static weft_status read_name(weft_host* host, const char* pointer, char* out, char* error,
                             size_t error_size) {
    const char* value = NULL;
    size_t len = 0;
    weft_status s = weft_config_get_string(host, pointer, &value, &len);
    if (s == WEFT_ERR_NOT_FOUND) return s;
    if (s == WEFT_OK && (len == 0 || len >= NAME_MAX_LEN || strlen(value) != len))
        s = WEFT_ERR_MISMATCH;
    if (s != WEFT_OK) {
        weft_error_set(error, error_size, "\"%s\" must be a Notify's name (%s)", pointer + 1,
                       s == WEFT_ERR_MISMATCH ? "a non-empty string" : weft_last_error(host));
        return s;
    }
    memcpy(out, value, len + 1);
    return WEFT_OK;
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    char ack[NAME_MAX_LEN] = "";
    weft_status s;
    struct notify_c* p = (struct notify_c*)calloc(1, sizeof *p);
    if (!p) return WEFT_ERR_NO_MEMORY;
    p->host = args->host;
    s = read_name(p->host, "/notify", p->notify_name, error, error_size);
    if (s == WEFT_ERR_NOT_FOUND)
        weft_error_set(error, error_size, "\"notify\" must name the Notify to wait on");
    if (s == WEFT_OK) {
        s = read_name(p->host, "/ack", ack, error, error_size);
        if (s == WEFT_ERR_NOT_FOUND) s = WEFT_OK; /* optional */
    }
    if (s == WEFT_OK) s = weft_notify_open(p->host, p->notify_name, &p->notify);
    if (s == WEFT_OK && ack[0]) s = weft_notify_open(p->host, ack, &p->ack);
    if (s != WEFT_OK) {
        if (!error[0])
            weft_error_set(error, error_size, "opening a Notify: %s", weft_last_error(p->host));
        weft_notify_close(p->notify);
        free(p);
        return s;
    }
    *instance = p;
    return WEFT_OK;
}

static weft_status start(void* instance, char* error, size_t error_size) {
    struct notify_c* p = (struct notify_c*)instance;
    weft_status s = weft_task_spawn(p->host, poll_task, p, drop_task, NULL);
    if (s != WEFT_OK) {
        weft_error_set(error, error_size, "spawning its task: %s", weft_last_error(p->host));
        return s;
    }
    weft_logf(p->host, WEFT_LOG_INFO, "notify-c: waiting on '%s'", p->notify_name);
    return WEFT_OK;
}

static void destroy(void* instance) {
    struct notify_c* p = (struct notify_c*)instance;
    weft_notify_close(p->notify);
    weft_notify_close(p->ack);
    free(p);
}

static weft_status validate(const char* config, size_t len, char* error, size_t error_size) {
    char notify[NAME_MAX_LEN];
    char ack[NAME_MAX_LEN];
    (void)len;
    return check_config(config, notify, ack, error, error_size);
}

/* It registers no job task and opens no channel (only Notify objects): weftd check-config
 * reports a job that names one of its tasks. */
static const char* const no_tasks[] = {NULL};
static const weft_manifest_channel no_channels[] = {{NULL, NULL, 0, 0, NULL, 0}};
static const weft_plugin_manifest manifest = {sizeof(weft_plugin_manifest), no_tasks, no_channels};

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor descriptor = {WEFT_DESCRIPTOR_HEADER("notify-c", "1.0.0"),
                                                      init,
                                                      start,
                                                      NULL,
                                                      destroy,
                                                      validate,
                                                      &manifest,
                                                      NULL};
    return &descriptor;
}
