/* stall_probe: a test plugin for weftd's observability, in plain C against plugin.h.
 *
 * Config (all integers, all optional):
 *   "tick_ms": N      a ticker: every N ms (deadline-paced) it measures the gap since its last
 *                     wake and publishes the longest, after the first 20 ticks, as the gauge
 *                     max_gap_ms; its first 5 ticks try_send one message into the channel
 *                     "probe" and take it back out (channel accounting).
 *   "block_ms": N     a blocker: after "delay_ms" (default 300) one poll of its task blocks the
 *                     worker for N ms (nanosleep), then the task returns "fail" ? an error : OK.
 *   "fail": 1         the blocker's task then fails (WEFT_ERR_PLUGIN).
 *   "go": 1           the blocker waits for the Notify "go" instead of "delay_ms", and the
 *                     ticker notifies "go" at its 30th tick: the blocker is then woken from
 *                     inside the ticker's poll, so it runs next on the ticker's worker (LIFO).
 *   "blocking_ms": N  at start, a blocking job that sleeps N ms.
 *   "name": "S"       the blocker's task is spawned named S (weft_task_spawn_named).
 *   "spin": 1         a task named "spinner" that yields in a loop: each poll wakes its own task
 *                     and returns pending, 200 times, then sleeps 20 ms (the task view's
 *                     self-wake warning).
 *   "lost": 1         a task named "lost" whose poll returns pending without registering its
 *                     waker (a classic bug: the task view's lost-waker warning); it never ends
 *                     by itself, so its shutdown takes the grace period.
 * Each task but "lost" stops at shutdown. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, with -std=c11 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft/plugin.h"

struct probe {
    weft_host* host;
    int64_t tick_ms, block_ms, delay_ms, fail, blocking_ms, go, spin, lost;
    weft_channel* channel;
    weft_notify* go_notify;
    const char* name; /* the config's string: valid until destroy */
};

struct task {
    struct probe* probe;
    weft_op* shutdown_op;
    weft_op* sleep_op;
    weft_instant next;
    weft_instant last;
    uint64_t ticks;
    uint64_t max_gap_ns;
    int blocked;
    int spins;
};

static void sleep_ms(int64_t ms) {
    struct timespec t;
    t.tv_sec = (time_t)(ms / 1000);
    t.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&t, &t) != 0) {
    }
}

static int64_t config_int(weft_host* h, const char* pointer, int64_t fallback) {
    int64_t v = 0;
    return weft_config_get_int(h, pointer, &v) == WEFT_OK ? v : fallback;
}

static void drop_task(void* state) {
    struct task* t = (struct task*)state;
    weft_op_cancel(&t->shutdown_op);
    weft_op_cancel(&t->sleep_op);
    free(t);
}

static weft_status ticker_poll(void* state, weft_context* cx) {
    struct task* t = (struct task*)state;
    struct probe* p = t->probe;
    if (weft_shutdown_wait(cx, p->host, &t->shutdown_op) == WEFT_OK) return WEFT_OK;
    for (;;) {
        weft_instant now;
        weft_status s = weft_time_sleep_until(cx, t->next, &t->sleep_op);
        if (s == WEFT_PENDING) return WEFT_PENDING;
        if (s != WEFT_OK) return s;
        now = weft_time_now(p->host);
        if (t->ticks > 20 && now - t->last > t->max_gap_ns) {
            t->max_gap_ns = now - t->last;
            weft_metric_gauge_set(p->host, "max_gap_ms", NULL, 0, (double)t->max_gap_ns / 1e6);
        }
        if (t->ticks < 5 && p->channel) {
            weft_message m;
            const char byte = 'x';
            memset(&m, 0, sizeof m);
            m.size = sizeof m;
            if (weft_channel_try_send(p->channel, &byte, 1) == WEFT_OK &&
                weft_channel_try_recv(p->channel, &m) == WEFT_OK)
                weft_message_release(&m);
        }
        if (t->ticks == 30 && p->go_notify) weft_notify_notify_one(p->go_notify);
        t->last = now;
        ++t->ticks;
        t->next += (weft_instant)p->tick_ms * 1000000u;
        if (t->next < now) t->next = now; /* skip missed ticks: the gap shows them */
    }
}

static weft_status blocker_poll(void* state, weft_context* cx) {
    struct task* t = (struct task*)state;
    struct probe* p = t->probe;
    weft_status s;
    if (weft_shutdown_wait(cx, p->host, &t->shutdown_op) == WEFT_OK) return WEFT_OK;
    if (p->go_notify)
        s = weft_notify_notified(cx, p->go_notify, &t->sleep_op);
    else
        s = weft_time_sleep_until(cx, t->next, &t->sleep_op);
    if (s != WEFT_OK) return s;
    weft_logf(p->host, WEFT_LOG_INFO, "stall_probe: blocking the worker for %lld ms",
              (long long)p->block_ms);
    sleep_ms(p->block_ms);
    weft_log(p->host, WEFT_LOG_INFO, "stall_probe: unblocked");
    return p->fail ? WEFT_ERR_PLUGIN : WEFT_OK;
}

static weft_status spinner_poll(void* state, weft_context* cx) {
    struct task* t = (struct task*)state;
    struct probe* p = t->probe;
    if (weft_shutdown_wait(cx, p->host, &t->shutdown_op) == WEFT_OK) return WEFT_OK;
    if (t->spins < 200) {
        ++t->spins;
        weft_context_wake(cx); /* poll me again at once */
        return WEFT_PENDING;
    }
    if (!t->sleep_op) t->next = weft_time_now(p->host) + 20u * 1000000u;
    {
        const weft_status s = weft_time_sleep_until(cx, t->next, &t->sleep_op);
        if (s != WEFT_OK) return s;
    }
    t->spins = 0;
    weft_context_wake(cx);
    return WEFT_PENDING;
}

static weft_status lost_poll(void* state, weft_context* cx) {
    (void)state;
    (void)cx;
    return WEFT_PENDING; /* and nothing will ever wake it */
}

static weft_status blocking_job(void* arg) {
    sleep_ms(((struct probe*)arg)->blocking_ms);
    return WEFT_OK;
}

static weft_status spawn(struct probe* p, weft_task_poll_fn poll, int64_t first_ms,
                         const char* name) {
    struct task* t = (struct task*)calloc(1, sizeof *t);
    weft_status s;
    if (!t) return WEFT_ERR_NO_MEMORY;
    t->probe = p;
    t->last = weft_time_now(p->host);
    t->next = t->last + (weft_instant)first_ms * 1000000u;
    s = name ? weft_task_spawn_named(p->host, name, poll, t, drop_task, NULL)
             : weft_task_spawn(p->host, poll, t, drop_task, NULL);
    if (s != WEFT_OK) free(t);
    return s;
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    struct probe* p = (struct probe*)calloc(1, sizeof *p);
    (void)error;
    (void)error_size;
    if (!p) return WEFT_ERR_NO_MEMORY;
    p->host = args->host;
    p->tick_ms = config_int(p->host, "/tick_ms", 0);
    p->block_ms = config_int(p->host, "/block_ms", 0);
    p->delay_ms = config_int(p->host, "/delay_ms", 300);
    p->fail = config_int(p->host, "/fail", 0);
    p->blocking_ms = config_int(p->host, "/blocking_ms", 0);
    p->go = config_int(p->host, "/go", 0);
    p->spin = config_int(p->host, "/spin", 0);
    p->lost = config_int(p->host, "/lost", 0);
    {
        size_t len = 0;
        if (weft_config_get_string(p->host, "/name", &p->name, &len) != WEFT_OK) p->name = NULL;
    }
    if (p->go && weft_notify_open(p->host, "go", &p->go_notify) != WEFT_OK) p->go_notify = NULL;
    *instance = p;
    return WEFT_OK;
}

static weft_status start(void* instance, char* error, size_t error_size) {
    struct probe* p = (struct probe*)instance;
    weft_status s = WEFT_OK;
    if (p->tick_ms > 0) {
        if (weft_channel_open(p->host, "probe", WEFT_CHANNEL_MPSC, 16,
                              WEFT_CHANNEL_SEND | WEFT_CHANNEL_RECV, &p->channel) != WEFT_OK)
            p->channel = NULL;
        s = spawn(p, ticker_poll, p->tick_ms, NULL);
    }
    if (s == WEFT_OK && p->block_ms > 0) s = spawn(p, blocker_poll, p->delay_ms, p->name);
    if (s == WEFT_OK && p->blocking_ms > 0)
        s = weft_blocking_spawn(p->host, blocking_job, p, NULL, NULL);
    if (s == WEFT_OK && p->spin) s = spawn(p, spinner_poll, 0, "spinner");
    if (s == WEFT_OK && p->lost) s = spawn(p, lost_poll, 0, "lost");
    if (s != WEFT_OK) weft_error_set(error, error_size, "spawn: %s", weft_status_str(s));
    return s;
}

static void destroy(void* instance) {
    struct probe* p = (struct probe*)instance;
    if (p->channel) weft_channel_close(p->channel);
    if (p->go_notify) weft_notify_close(p->go_notify);
    free(p);
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("stall-probe", "1.0.0"),
                                             init,
                                             start,
                                             NULL,
                                             destroy,
                                             NULL,
                                             NULL,
                                             NULL};
    return &d;
}
