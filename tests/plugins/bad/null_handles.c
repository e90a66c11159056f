/* Calls every inline function of plugin.h with a NULL handle, from a plain C plugin, as plugin.h's
 * "NULL HANDLES" promises they may be called: a function returning a status must return
 * WEFT_ERR_INVALID_ARGUMENT, the others their documented neutral value, and none may crash. It
 * logs one line per function ("null handle: weft_x: ok" or "...: FAILED ...") through the real
 * host, then "null handle: done". The test reads the function list from plugin.h itself, so a
 * function added there without a line here fails it. */
#include <string.h>

#include "weft/plugin.h"

static weft_host* g_host;

static void report(const char* name, int ok, const char* detail) {
    weft_logf(g_host, ok ? WEFT_LOG_INFO : WEFT_LOG_ERROR, "null handle: %s: %s%s", name,
              ok ? "ok" : "FAILED ", ok ? "" : detail);
}

static void expect_invalid(const char* name, weft_status got) {
    report(name, got == WEFT_ERR_INVALID_ARGUMENT, weft_status_str(got));
}

static weft_status never_poll(void* state, weft_context* cx) {
    (void)state;
    (void)cx;
    return WEFT_OK;
}
static weft_status never_run(void* arg) {
    (void)arg;
    return WEFT_OK;
}
static weft_status never_start(void* user_data, weft_job_run* run) {
    (void)user_data;
    (void)run;
    return WEFT_OK;
}

#define VOID_CALL(name, call) \
    do {                      \
        call;                 \
        report(#name, 1, ""); \
    } while (0)
#define STATUS_CALL(name, call) expect_invalid(#name, call)
#define ZERO_CALL(name, call) report(#name, (call) == 0, "nonzero")

static void call_everything(void) {
    char buf[64];
    size_t n = 0;
    int64_t i64 = 0;
    double d = 0;
    int b = 0;
    const char* str = NULL;
    weft_op* op = NULL;
    weft_waker* waker = NULL;
    weft_channel* channel = NULL;
    weft_notify* notify = NULL;
    weft_semaphore* semaphore = NULL;
    weft_listener* listener = NULL;
    weft_stream* stream = NULL;
    weft_udp* udp = NULL;
    weft_message message;
    weft_channel_info info;
    weft_metrics metrics;
    memset(&message, 0, sizeof message);
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    memset(&metrics, 0, sizeof metrics);
    metrics.size = sizeof metrics;

    /* 6.1 host and logging */
    report("weft_host_name", strcmp(weft_host_name(NULL), "") == 0, "not empty");
    report("weft_last_error", weft_last_error(NULL) != NULL && weft_last_error(NULL)[0] != '\0',
           "no message");
    VOID_CALL(weft_log_n, weft_log_n(NULL, WEFT_LOG_INFO, "x", 1));
    VOID_CALL(weft_log, weft_log(NULL, WEFT_LOG_INFO, "x"));
    ZERO_CALL(weft_log_enabled, weft_log_enabled(NULL, WEFT_LOG_INFO));
    VOID_CALL(weft_logf, weft_logf(NULL, WEFT_LOG_INFO, "%d", 1));
    STATUS_CALL(weft_metrics_read, weft_metrics_read(NULL, &metrics));
    /* 6.2 contexts, wakers and operations */
    VOID_CALL(weft_context_wake, weft_context_wake(NULL));
    STATUS_CALL(weft_context_waker, weft_context_waker(NULL, &waker));
    VOID_CALL(weft_waker_wake, weft_waker_wake(NULL));
    VOID_CALL(weft_waker_wake_by_ref, weft_waker_wake_by_ref(NULL));
    VOID_CALL(weft_waker_drop, weft_waker_drop(NULL));
    VOID_CALL(weft_op_cancel, weft_op_cancel(NULL));
    VOID_CALL(weft_op_cancel, weft_op_cancel(&op));
    /* 6.3 tasks */
    STATUS_CALL(weft_task_spawn, weft_task_spawn(NULL, never_poll, NULL, NULL, NULL));
    STATUS_CALL(weft_task_spawn_named,
                weft_task_spawn_named(NULL, "n", never_poll, NULL, NULL, NULL));
    STATUS_CALL(weft_task_join, weft_task_join(NULL, NULL));
    VOID_CALL(weft_task_abort, weft_task_abort(NULL));
    ZERO_CALL(weft_task_is_finished, weft_task_is_finished(NULL));
    VOID_CALL(weft_task_release, weft_task_release(NULL));
    /* 6.4 the blocking pool */
    STATUS_CALL(weft_blocking_spawn, weft_blocking_spawn(NULL, never_run, NULL, NULL, NULL));
    STATUS_CALL(weft_blocking_join, weft_blocking_join(NULL, NULL));
    VOID_CALL(weft_blocking_release, weft_blocking_release(NULL));
    /* 6.5 time, 6.6 shutdown */
    ZERO_CALL(weft_time_now, weft_time_now(NULL));
    STATUS_CALL(weft_time_sleep_until, weft_time_sleep_until(NULL, 0, &op));
    STATUS_CALL(weft_time_sleep, weft_time_sleep(NULL, 0, &op));
    ZERO_CALL(weft_shutdown_is_requested, weft_shutdown_is_requested(NULL));
    STATUS_CALL(weft_shutdown_wait, weft_shutdown_wait(NULL, NULL, &op));
    /* 6.7 channels */
    STATUS_CALL(weft_channel_open,
                weft_channel_open(NULL, "c", WEFT_CHANNEL_MPSC, 1, WEFT_CHANNEL_SEND, &channel));
    VOID_CALL(weft_channel_close, weft_channel_close(NULL));
    STATUS_CALL(weft_channel_query, weft_channel_query(NULL, &info));
    STATUS_CALL(weft_channel_send, weft_channel_send(NULL, NULL, "x", 1, &op));
    STATUS_CALL(weft_channel_try_send, weft_channel_try_send(NULL, "x", 1));
    STATUS_CALL(weft_channel_recv, weft_channel_recv(NULL, NULL, &message, &op));
    STATUS_CALL(weft_channel_try_recv, weft_channel_try_recv(NULL, &message));
    VOID_CALL(weft_message_release, weft_message_release(NULL));
    /* 6.8 Notify, 6.9 semaphores */
    STATUS_CALL(weft_notify_open, weft_notify_open(NULL, "n", &notify));
    VOID_CALL(weft_notify_close, weft_notify_close(NULL));
    VOID_CALL(weft_notify_notify_one, weft_notify_notify_one(NULL));
    VOID_CALL(weft_notify_notify_waiters, weft_notify_notify_waiters(NULL));
    STATUS_CALL(weft_notify_notified, weft_notify_notified(NULL, NULL, &op));
    STATUS_CALL(weft_semaphore_open, weft_semaphore_open(NULL, "s", 1, &semaphore));
    VOID_CALL(weft_semaphore_close, weft_semaphore_close(NULL));
    STATUS_CALL(weft_semaphore_acquire, weft_semaphore_acquire(NULL, NULL, 1, &op));
    STATUS_CALL(weft_semaphore_try_acquire, weft_semaphore_try_acquire(NULL, 1));
    STATUS_CALL(weft_semaphore_release, weft_semaphore_release(NULL, 1));
    ZERO_CALL(weft_semaphore_available, weft_semaphore_available(NULL));
    /* 6.10 jobs, 6.11 config */
    STATUS_CALL(weft_job_register, weft_job_register(NULL, "j", never_start, NULL, NULL));
    STATUS_CALL(weft_config_get_int, weft_config_get_int(NULL, "/x", &i64));
    STATUS_CALL(weft_config_get_double, weft_config_get_double(NULL, "/x", &d));
    STATUS_CALL(weft_config_get_bool, weft_config_get_bool(NULL, "/x", &b));
    STATUS_CALL(weft_config_get_string, weft_config_get_string(NULL, "/x", &str, &n));
    STATUS_CALL(weft_config_get_array_length, weft_config_get_array_length(NULL, "/x", &n));
    /* 6.12 network */
    STATUS_CALL(weft_tcp_listen, weft_tcp_listen(NULL, "127.0.0.1:0", 1, &listener));
    STATUS_CALL(weft_unix_listen, weft_unix_listen(NULL, "/nonexistent/s", 1, &listener));
    STATUS_CALL(weft_tcp_accept, weft_tcp_accept(NULL, NULL, &stream));
    STATUS_CALL(weft_unix_accept, weft_unix_accept(NULL, NULL, &stream));
    STATUS_CALL(weft_listener_local_addr, weft_listener_local_addr(NULL, buf, sizeof buf));
    VOID_CALL(weft_listener_close, weft_listener_close(NULL));
    STATUS_CALL(weft_tcp_connect, weft_tcp_connect(NULL, NULL, "127.0.0.1:1", 0, &stream, &op));
    STATUS_CALL(weft_unix_connect,
                weft_unix_connect(NULL, NULL, "/nonexistent/s", 0, &stream, &op));
    STATUS_CALL(weft_stream_read, weft_stream_read(NULL, NULL, buf, sizeof buf, &n));
    STATUS_CALL(weft_stream_write, weft_stream_write(NULL, NULL, "x", 1, &n));
    STATUS_CALL(weft_stream_shutdown, weft_stream_shutdown(NULL));
    STATUS_CALL(weft_stream_set_nodelay, weft_stream_set_nodelay(NULL, 1));
    STATUS_CALL(weft_stream_peer_addr, weft_stream_peer_addr(NULL, buf, sizeof buf));
    VOID_CALL(weft_stream_close, weft_stream_close(NULL));
    STATUS_CALL(weft_udp_bind, weft_udp_bind(NULL, "127.0.0.1:0", &udp));
    STATUS_CALL(weft_udp_connect, weft_udp_connect(NULL, "127.0.0.1:1"));
    STATUS_CALL(weft_udp_send_to, weft_udp_send_to(NULL, NULL, "x", 1, "127.0.0.1:1", &n));
    STATUS_CALL(weft_udp_recv_from,
                weft_udp_recv_from(NULL, NULL, buf, sizeof buf, &n, buf, sizeof buf));
    STATUS_CALL(weft_udp_local_addr, weft_udp_local_addr(NULL, buf, sizeof buf));
    VOID_CALL(weft_udp_close, weft_udp_close(NULL));
    STATUS_CALL(weft_resolve, weft_resolve(NULL, NULL, "localhost:1", buf, sizeof buf, &n, &op));
    STATUS_CALL(weft_metric_counter_add, weft_metric_counter_add(NULL, "c", NULL, 0, 1));
    STATUS_CALL(weft_metric_gauge_set, weft_metric_gauge_set(NULL, "g", NULL, 0, 1.0));
    {
        const char* dir = NULL;
        STATUS_CALL(weft_state_directory, weft_state_directory(NULL, &dir, &n));
    }
    {
        weft_pool* pool = NULL;
        weft_pool_info info;
        weft_stream* conn = NULL;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        STATUS_CALL(weft_pool_open, weft_pool_open(NULL, "p", &pool));
        VOID_CALL(weft_pool_close, weft_pool_close(NULL));
        STATUS_CALL(weft_pool_query, weft_pool_query(NULL, &info));
        STATUS_CALL(weft_pool_acquire, weft_pool_acquire(NULL, NULL, &conn, &op));
        STATUS_CALL(weft_pool_release, weft_pool_release(NULL, NULL));
        STATUS_CALL(weft_pool_discard, weft_pool_discard(NULL, NULL));
        STATUS_CALL(weft_pool_record, weft_pool_record(NULL, WEFT_POOL_CREATED, 1));
    }
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = args->host;
    *instance = NULL;
    call_everything();
    weft_log(g_host, WEFT_LOG_INFO, "null handle: done");
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("null-handles", "1.0.0"), init, NULL, NULL, NULL, NULL, NULL, NULL};
    return &d;
}
