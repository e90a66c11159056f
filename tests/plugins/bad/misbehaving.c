/* A plugin that breaks the host's assumptions on purpose, one way per config key, so the daemon
 * tests can check that weftd survives it (or, for a crash, names it). Written against plugin.h
 * alone. Its config (compact JSON, as the host passes it):
 *   "stubborn": true        a task that ignores the shutdown token (never woken, never done)
 *   "blocking_ms": N        a blocking job that sleeps N ms and ignores everything
 *   "hang": "HOOK"          that hook (init, start, stop or destroy) sleeps "hang_ms" (default
 *                           one hour) before it returns
 *   "crash": "null" | "abort" | "overflow"
 *                           a null dereference, abort() or a stack overflow, in "crash_in":
 *                           "task" (the first poll of a task, the default) or "start"
 * destroy never frees the instance: it marks it destroyed, and every drop function checks that
 * mark and aborts with a clear line if the host dropped a task or job after destroy (plugin.h
 * promises destroy runs last), so such a bug shows as a deterministic crash. */
/* nanosleep: C11 alone does not declare it. */
#define _POSIX_C_SOURCE 200809L

/* GCC says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define MISBEHAVING_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MISBEHAVING_ASAN 1
#endif
#endif
#if defined(MISBEHAVING_ASAN)
#include <sanitizer/lsan_interface.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft/plugin.h"

struct instance {
    weft_host* host;
    volatile int destroyed;
    char hang[16];
    long hang_ms;
    char crash[16];
    char crash_in[16];
};

struct task_state {
    struct instance* instance;
};

/* The text of "key":"value" in compact JSON, copied into out (empty if absent). */
static void string_value(const char* json, const char* key, char* out, size_t size) {
    char pattern[64];
    const char* at;
    size_t n = 0;
    out[0] = '\0';
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    at = strstr(json, pattern);
    if (!at) return;
    at += strlen(pattern);
    while (at[n] && at[n] != '"' && n + 1 < size) {
        out[n] = at[n];
        ++n;
    }
    out[n] = '\0';
}

static long number_value(const char* json, const char* key, long fallback) {
    char pattern[64];
    const char* at;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    at = strstr(json, pattern);
    return at ? strtol(at + strlen(pattern), NULL, 10) : fallback;
}

static void sleep_ms(long ms) {
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&t, &t) != 0) {
    }
}

static void check_alive(struct instance* instance, const char* what) {
    if (instance->destroyed) {
        static const char line[] = "misbehaving: use after destroy: ";
        fputs(line, stderr);
        fputs(what, stderr);
        fputs("\n", stderr);
        abort();
    }
}

static void hang_if(struct instance* instance, const char* hook) {
    if (strcmp(instance->hang, hook) != 0) return;
    weft_logf(instance->host, WEFT_LOG_INFO, "misbehaving: %s hangs for %ld ms", hook,
              instance->hang_ms);
    sleep_ms(instance->hang_ms);
    weft_logf(instance->host, WEFT_LOG_INFO, "misbehaving: %s returns", hook);
}

static int overflow(volatile char* previous) {
    volatile char frame[1024];
    frame[0] = previous ? previous[0] : 1;
    if (frame[0] == 123) return 0;     /* never: frame[0] is 1, but the compiler cannot know */
    return overflow(frame) + frame[0]; /* not a tail call: the frame stays */
}

/* The crash is the point: UBSan (the sanitizer build) must not stop it before the signal does. */
#if defined(__GNUC__)
__attribute__((no_sanitize("undefined")))
#endif
static void
crash_now(struct instance* instance) {
    weft_logf(instance->host, WEFT_LOG_INFO, "misbehaving: crashing (%s)", instance->crash);
    if (strcmp(instance->crash, "abort") == 0) abort();
    if (strcmp(instance->crash, "overflow") == 0) (void)overflow(NULL);
    {
        volatile int* volatile nothing = NULL;
        *nothing = 42;
    }
}

static weft_status stubborn_poll(void* state, weft_context* cx) {
    (void)state;
    (void)cx;
    return WEFT_PENDING; /* never arranges a wake: only cancellation ends it */
}

static weft_status crash_poll(void* state, weft_context* cx) {
    (void)cx;
    crash_now(((struct task_state*)state)->instance);
    return WEFT_OK;
}

static void drop_task(void* state) {
    struct task_state* t = (struct task_state*)state;
    check_alive(t->instance, "a task was dropped after destroy");
    free(t);
}

struct job {
    struct instance* instance;
    long ms;
};

static weft_status job_run(void* arg) {
    struct job* j = (struct job*)arg;
    weft_logf(j->instance->host, WEFT_LOG_INFO, "misbehaving: blocking job sleeps %ld ms", j->ms);
    sleep_ms(j->ms);
    return WEFT_OK;
}

static void job_drop(void* arg) {
    struct job* j = (struct job*)arg;
    check_alive(j->instance, "a blocking job was dropped after destroy");
    free(j);
}

static weft_status spawn_task(struct instance* instance, weft_task_poll_fn poll) {
    struct task_state* t = (struct task_state*)calloc(1, sizeof *t);
    weft_status s;
    if (!t) return WEFT_ERR_NO_MEMORY;
    t->instance = instance;
    s = weft_task_spawn(instance->host, poll, t, drop_task, NULL);
    if (s != WEFT_OK) free(t);
    return s;
}

static weft_status init(const weft_init_args* args, void** out, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)calloc(1, sizeof *instance);
    const char* json = args->config_json;
    long blocking_ms;
    weft_status s = WEFT_OK;
    if (!instance) return WEFT_ERR_NO_MEMORY;
    instance->host = args->host;
    string_value(json, "hang", instance->hang, sizeof instance->hang);
    instance->hang_ms = number_value(json, "hang_ms", 3600L * 1000L);
    string_value(json, "crash", instance->crash, sizeof instance->crash);
    string_value(json, "crash_in", instance->crash_in, sizeof instance->crash_in);
    if (instance->crash_in[0] == '\0') strcpy(instance->crash_in, "task");
    hang_if(instance, "init");

    if (strstr(json, "\"stubborn\":true")) s = spawn_task(instance, stubborn_poll);
    blocking_ms = number_value(json, "blocking_ms", 0);
    if (s == WEFT_OK && blocking_ms > 0) {
        struct job* j = (struct job*)calloc(1, sizeof *j);
        if (!j) return WEFT_ERR_NO_MEMORY;
        j->instance = instance;
        j->ms = blocking_ms;
        s = weft_blocking_spawn(args->host, job_run, j, job_drop, NULL);
        if (s != WEFT_OK) free(j);
    }
    if (s != WEFT_OK) {
        weft_error_set(error, error_size, "spawn: %s", weft_last_error(args->host));
        return s;
    }
    *out = instance;
    return WEFT_OK;
}

static weft_status start(void* p, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)p;
    (void)error;
    (void)error_size;
    hang_if(instance, "start");
    if (instance->crash[0] != '\0') {
        if (strcmp(instance->crash_in, "start") == 0) crash_now(instance);
        return spawn_task(instance, crash_poll);
    }
    weft_log(instance->host, WEFT_LOG_INFO, "misbehaving: start");
    return WEFT_OK;
}

static weft_status stop(void* p, char* error, size_t error_size) {
    struct instance* instance = (struct instance*)p;
    (void)error;
    (void)error_size;
    hang_if(instance, "stop");
    weft_log(instance->host, WEFT_LOG_INFO, "misbehaving: stop");
    return WEFT_OK;
}

static void destroy(void* p) {
    struct instance* instance = (struct instance*)p;
    hang_if(instance, "destroy");
    weft_log(instance->host, WEFT_LOG_INFO, "misbehaving: destroy");
    instance->destroyed = 1; /* never freed: drop functions check this mark */
#if defined(MISBEHAVING_ASAN)
    __lsan_ignore_object(instance); /* kept on purpose, not a leak for the sanitizer build */
#endif
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("misbehaving", "1.0.0"),
                                             init,
                                             start,
                                             stop,
                                             destroy,
                                             NULL,
                                             NULL,
                                             NULL};
    return &d;
}
