/* Plain C use of wakers and the blocking pool: a task clones its own waker, hands it to a job on
 * the blocking pool that sets a flag and wakes the task from the pool's thread, then returns
 * WEFT_PENDING without any host operation pending. When polled again it sees the flag, joins the
 * job for its result and reads the runtime's metrics. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, with -std=c11 */

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft/plugin.h"

struct state {
    weft_host* host;
    weft_waker* waker; /* owned by the job once it is spawned */
    weft_blocking* job;
    atomic_int done;
    int step;
};

static weft_status job(void* arg) {
    struct state* s = (struct state*)arg;
    struct timespec ten_ms = {0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, NULL); /* blocking is what the pool is for */
    atomic_store(&s->done, 1);
    weft_waker_wake(s->waker); /* consumes the waker */
    s->waker = NULL;
    return WEFT_ERR_EMPTY; /* any status: the join gives it back */
}

static weft_status poll_task(void* p, weft_context* cx) {
    struct state* s = (struct state*)p;
    weft_status r;
    weft_metrics m;
    if (s->step == 0) {
        if (weft_context_waker(cx, &s->waker) != WEFT_OK) return WEFT_ERR_NO_MEMORY;
        if (weft_blocking_spawn(s->host, job, s, NULL, &s->job) != WEFT_OK) {
            weft_waker_drop(s->waker);
            return WEFT_ERR_PLUGIN;
        }
        s->step = 1;
        return WEFT_PENDING; /* the job's wake brings the next poll */
    }
    if (!atomic_load(&s->done)) return WEFT_PENDING; /* a spurious poll: nothing to do */
    if (s->step == 1) {
        weft_log(s->host, WEFT_LOG_INFO, "c-waker: woken by a blocking job");
        s->step = 2;
    }
    r = weft_blocking_join(cx, s->job);
    if (r == WEFT_PENDING) return r;
    weft_logf(s->host, WEFT_LOG_INFO, "c-waker: job returned %s", weft_status_str(r));
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    if (weft_metrics_read(s->host, &m) == WEFT_OK)
        weft_logf(s->host, WEFT_LOG_INFO, "c-waker: workers %llu, my tasks %llu",
                  (unsigned long long)m.workers, (unsigned long long)m.plugin_tasks);
    return WEFT_OK;
}

static void drop_task(void* p) {
    struct state* s = (struct state*)p;
    weft_blocking_release(s->job);
    free(s);
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    struct state* s = (struct state*)calloc(1, sizeof *s);
    (void)error;
    (void)error_size;
    if (!s) return WEFT_ERR_NO_MEMORY;
    s->host = args->host;
    *instance = NULL;
    if (weft_task_spawn(args->host, poll_task, s, drop_task, NULL) != WEFT_OK) {
        free(s);
        return WEFT_ERR_PLUGIN;
    }
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("c-waker", "1.0.0"), init, NULL, NULL, NULL, NULL, NULL, NULL};
    return &d;
}
