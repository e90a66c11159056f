/* weft/plugin.h: the weft plugin ABI (C11). The one file a plugin author reads.
 *
 * A weft plugin is a shared library that exports one function, `weft_plugin_entry`, returning a
 * descriptor: the ABI version it was built for, its name and version, and its lifecycle hooks.
 * weftd (the host) loads it with dlopen, checks the ABI, calls `init` with a function table and
 * the plugin's JSON config, then `start`; on shutdown `stop` and `destroy`. The plugin never links
 * to the daemon: everything it asks of the host goes through the table (`weft_host_api`), reached
 * through the inline `weft_*` functions below.
 *
 * CONTENTS
 *   1. Versions, export macros, statuses (weft_status, weft_status_str)
 *   2. Objects: handles (long-lived: host, channel, notify, semaphore, task, blocking job) and
 *      operations (one wait in progress: weft_op), the poll context and wakers
 *   3. Tasks: futures across the ABI (the poll protocol)
 *   4. Messages: byte buffers and who frees them
 *   5. The descriptor and its hooks
 *   6. The host function table, and one inline function per entry, grouped by subject
 *      (6.10: jobs, task functions that weftd runs on the schedules of its config;
 *      6.11: the plugin's config, read by JSON pointer;
 *      6.12: network, TCP, Unix-domain and UDP sockets and name resolution;
 *      6.13: the plugin's own metrics, and the daemon's state directory)
 *
 * THE POLL PROTOCOL (futures across the ABI, as Rust's Future::poll)
 *   A plugin task is a poll function, its state and a drop function (weft_task_poll_fn,
 *   weft_task_drop_fn). The host polls the task on a runtime worker with a weft_context that
 *   carries the task's waker. The poll returns WEFT_OK (done), WEFT_PENDING (not done: the task
 *   arranged to be woken) or an error status (done, failed). A host operation that may wait
 *   (receive, send into a full channel, sleep, acquire, join, ...) takes the context and an
 *   operation slot (`weft_op** op`) and returns WEFT_OK, an error, or WEFT_PENDING after
 *   registering the waker. On WEFT_PENDING the task returns WEFT_PENDING from its own poll; when
 *   woken, the host polls it again and the task calls the same function again with the same
 *   arguments and the same slot, until it no longer returns WEFT_PENDING:
 *
 *       weft_status my_poll(void* state, weft_context* cx) {
 *           struct my_task* t = state;
 *           weft_status s = weft_notify_notified(cx, t->notify, &t->wait);  // t->wait starts NULL
 *           if (s == WEFT_PENDING) return WEFT_PENDING;
 *           ... the notification arrived: do the work ...
 *           return WEFT_OK;
 *       }
 *
 *   Operation slots. `*op` must be NULL when an operation starts. While it is pending the host
 *   may store its state there (host-owned; never touch it). When the call returns anything but
 *   WEFT_PENDING, the host has released that state and set `*op` back to NULL. To abandon a
 *   pending operation (the task is dropped, or it stops waiting), call weft_op_cancel(&op):
 *   cancelling is safe wherever the operation's documentation says "cancel-safe", and says what
 *   is lost otherwise. Wakes may be spurious: re-polling an operation that is not ready just
 *   returns WEFT_PENDING again.
 *
 *   Cooperative budget. Every host operation spends one unit of the polling task's budget (as
 *   Tokio's coop). When the budget is spent the operation returns WEFT_PENDING even though it
 *   could proceed, after waking the task, so a task looping over an always-ready channel still
 *   lets other tasks run. A plugin must therefore treat WEFT_PENDING as "return and be polled
 *   again", never as "nothing there" (use the weft_*_try_* functions for that).
 *
 * THREADS
 *   Tasks run on the runtime's worker threads, possibly a different one at each poll, never two
 *   polls of one task at once. Hooks (init, start, stop, destroy, validate) run on the daemon's
 *   main thread, one at a time, while other plugins' tasks (and the plugin's own) keep running.
 *   Unless a function says otherwise, it may be called from any thread, including threads the
 *   plugin created, and handles may be shared between the plugin's tasks.
 *
 * OWNERSHIP, in one paragraph
 *   Strings and buffers the plugin passes in are borrowed for the duration of the call (the host
 *   copies what it keeps: names, messages sent, log lines). Handles the host returns are owned by
 *   the plugin until it closes or releases them with the matching weft_*_close / _release; the
 *   host closes whatever is left after `destroy`. A received message is owned by the plugin until
 *   it calls weft_message_release. Task and blocking-job state is owned by the host from spawn
 *   until it calls the drop function, exactly once. Strings the host returns (names, statuses,
 *   weft_last_error) are host-owned and valid as documented; the plugin never frees them.
 *
 * STATUSES EVERY CALL MAY RETURN
 *   Besides those its comment lists, every function returning weft_status may return
 *   WEFT_ERR_INVALID_ARGUMENT for a NULL pointer where one is required (weft_last_error says
 *   which), WEFT_ERR_NO_MEMORY when the host runs out of memory, and WEFT_ERR_INTERNAL for a
 *   failure inside the host (logged; never a crash). Nothing the host does throws into a plugin.
 *
 * NULL HANDLES
 *   Every function below accepts NULL for any handle and never crashes on one. The inline
 *   functions find the host's table through a handle (weft_object_header): the object the call
 *   is about (the channel, task, semaphore...), or host or cx when it takes no other. When that
 *   handle is NULL they return at once, without reaching the host:
 *     - a function returning weft_status returns WEFT_ERR_INVALID_ARGUMENT (weft_last_error is
 *       not updated: no host was reached);
 *     - a void function (close, release, drop, wake, abort, notify, log) does nothing;
 *     - weft_log_enabled, weft_task_is_finished, weft_shutdown_is_requested, weft_time_now and
 *       weft_semaphore_available return 0; weft_host_name returns ""; weft_last_error(NULL)
 *       returns a message saying that it needs a handle.
 *   A NULL in any other handle parameter reaches the host, which returns
 *   WEFT_ERR_INVALID_ARGUMENT and sets weft_last_error.
 *
 * VERSIONING
 *   WEFT_PLUGIN_ABI_MAJOR changes when an existing declaration changes meaning or layout; the host
 *   refuses a plugin built for another major. WEFT_PLUGIN_ABI_MINOR grows when functions are
 *   appended to the table or fields to the end of a size-prefixed struct; the host refuses a
 *   plugin built for a newer minor than its own (it might call what the host lacks), and accepts
 *   older minors. Structs that may grow start with their size; WEFT_API_HAS() tells a plugin
 *   whether the host's table has an entry.
 */
#ifndef WEFT_PLUGIN_H
#define WEFT_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================
 * 1. Versions, export macros, statuses
 * ========================================================================================== */

#define WEFT_PLUGIN_ABI_MAJOR 1
/* 1.1 appended job_register to the host table (section 6.10) and WEFT_ERR_EXISTS. */
/* 1.2 appended WEFT_ERR_NO_RECEIVER (section 6.7), config_get_* to the host table (6.11), the
   network section (6.12: tcp_listen ... resolve) with statuses -19 to -22, and the manifest to
   the descriptor (5). */
/* 1.3 appended plugin metrics and the state directory (section 6.13), and pools
 * (WEFT_ERR_EXHAUSTED, pool_open ... pool_record, section 6.14) to the host table. */
/* 1.4 appended the reconfigure hook to the descriptor (5). */
/* 1.5 appended task_spawn_named to the host table (section 6.3): a task with a name. */
#define WEFT_PLUGIN_ABI_MINOR 5

/* The symbol every plugin exports, and its type. */
#define WEFT_PLUGIN_ENTRY_SYMBOL "weft_plugin_entry"

#if defined(__GNUC__) || defined(__clang__)
#define WEFT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define WEFT_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
#define WEFT__EXTERN_C extern "C"
#else
#define WEFT__EXTERN_C
#endif

/* Declares (and, followed by a body, defines) the entry symbol:
 *     WEFT_PLUGIN_ENTRY { return &my_descriptor; }                                            */
#define WEFT_PLUGIN_ENTRY \
    WEFT__EXTERN_C WEFT_PLUGIN_EXPORT const struct weft_plugin_descriptor* weft_plugin_entry(void)

/* Every result. Zero is success, WEFT_PENDING is "not yet", negative values are errors. */
typedef enum weft_status {
    WEFT_OK = 0,                    /* done; for a poll: ready */
    WEFT_PENDING = 1,               /* not done; the task's waker is registered */
    WEFT_ERR_INVALID_ARGUMENT = -1, /* NULL or malformed argument; handle of the wrong kind */
    WEFT_ERR_CLOSED = -2,           /* the channel, semaphore or notify is closed */
    WEFT_ERR_FULL = -3,             /* try_send: no room now */
    WEFT_ERR_EMPTY = -4,            /* try_recv: nothing now */
    WEFT_ERR_LAGGED = -5,           /* broadcast receiver fell behind; messages were skipped */
    WEFT_ERR_MISMATCH = -6,         /* named object of another kind or capacity; config value
                                       of another type (ABI 1.2) */
    WEFT_ERR_NOT_FOUND = -7,        /* named object neither declared nor created; no config
                                       value at a JSON pointer (ABI 1.2) */
    WEFT_ERR_BUSY = -8,             /* another task is already receiving from this mpsc channel */
    WEFT_ERR_NO_MEMORY = -9,        /* allocation failed */
    WEFT_ERR_CANCELLED = -10,       /* the task or job was cancelled (abort or shutdown) */
    WEFT_ERR_TASK_FAILED = -11,     /* the task failed (error status or exception) */
    WEFT_ERR_SHUTDOWN = -12,        /* the runtime is shutting down: nothing new is started */
    WEFT_ERR_TIMED_OUT = -13,       /* a deadline passed (SDK timeouts) */
    WEFT_ERR_UNSUPPORTED = -14,     /* not available in this host or for this object */
    WEFT_ERR_PLUGIN = -15,          /* a plugin hook reported a failure (see its message) */
    WEFT_ERR_INTERNAL = -16,        /* a bug in the host; logged by the host */
    WEFT_ERR_EXISTS = -17,          /* a name is already taken (ABI 1.1: job_register) */
    WEFT_ERR_NO_RECEIVER = -18,     /* mpsc/mpmc send: every receiver closed its handle (1.2) */
    /* ABI 1.2, the network section (6.12); weft_last_error has the errno's text and address */
    WEFT_ERR_CONNECTION_REFUSED = -19, /* nobody listens at the address (ECONNREFUSED) */
    WEFT_ERR_CONNECTION_RESET = -20,   /* the peer reset the connection (ECONNRESET, EPIPE) */
    WEFT_ERR_ADDRESS_IN_USE = -21,     /* listen/bind: the address is taken (EADDRINUSE) */
    WEFT_ERR_IO = -22,                 /* any other I/O error of the OS */
    /* 1.3: pools */
    WEFT_ERR_EXHAUSTED = -23 /* pool acquire: acquire_timeout passed with every slot in use */
} weft_status;

/* A short English description of `status` ("ok", "channel closed", ...). Static storage; never
 * NULL. Thread-safe. */
static inline const char* weft_status_str(weft_status status) {
    switch (status) {
        case WEFT_OK:
            return "ok";
        case WEFT_PENDING:
            return "pending";
        case WEFT_ERR_INVALID_ARGUMENT:
            return "invalid argument";
        case WEFT_ERR_CLOSED:
            return "closed";
        case WEFT_ERR_FULL:
            return "full";
        case WEFT_ERR_EMPTY:
            return "empty";
        case WEFT_ERR_LAGGED:
            return "receiver lagged";
        case WEFT_ERR_MISMATCH:
            return "mismatch (kind, capacity or type)";
        case WEFT_ERR_NOT_FOUND:
            return "not found";
        case WEFT_ERR_BUSY:
            return "busy";
        case WEFT_ERR_NO_MEMORY:
            return "out of memory";
        case WEFT_ERR_CANCELLED:
            return "cancelled";
        case WEFT_ERR_TASK_FAILED:
            return "task failed";
        case WEFT_ERR_SHUTDOWN:
            return "shutting down";
        case WEFT_ERR_TIMED_OUT:
            return "timed out";
        case WEFT_ERR_UNSUPPORTED:
            return "unsupported";
        case WEFT_ERR_PLUGIN:
            return "plugin error";
        case WEFT_ERR_INTERNAL:
            return "internal error";
        case WEFT_ERR_NO_RECEIVER:
            return "no receiver";
        case WEFT_ERR_EXISTS:
            return "already exists";
        case WEFT_ERR_CONNECTION_REFUSED:
            return "connection refused";
        case WEFT_ERR_CONNECTION_RESET:
            return "connection reset";
        case WEFT_ERR_ADDRESS_IN_USE:
            return "address in use";
        case WEFT_ERR_IO:
            return "I/O error";
        case WEFT_ERR_EXHAUSTED:
            return "pool exhausted";
    }
    return "unknown status";
}

/* ============================================================================================
 * 2. Objects
 *
 * Handles (long-lived; the plugin closes or releases them):
 *   weft_host       the plugin instance's view of the host; valid from init until destroy returns
 *   weft_channel    a named channel opened for sending and/or receiving
 *   weft_notify     a named Notify
 *   weft_semaphore  a named semaphore
 *   weft_task       the join handle of a spawned task
 *   weft_blocking   the join handle of a job on the blocking pool
 *   weft_waker      an owned waker (a clone of a task's waker)
 *   weft_listener   a listening TCP or Unix-domain socket (ABI 1.2)
 *   weft_stream     a connected TCP or Unix-domain stream (ABI 1.2)
 *   weft_udp        a UDP socket (ABI 1.2)
 *   weft_pool       a named pool from the config's `pools` section (ABI 1.3)
 * Operations (one wait in progress, see the poll protocol):
 *   weft_op         host-owned state of a pending operation, kept in the plugin's slot
 * Borrowed for one poll:
 *   weft_context    the poll context: valid only during the poll it was passed to, on its thread
 * ========================================================================================== */

typedef struct weft_host weft_host;
typedef struct weft_context weft_context;
typedef struct weft_op weft_op;
typedef struct weft_waker weft_waker;
typedef struct weft_channel weft_channel;
typedef struct weft_notify weft_notify;
typedef struct weft_semaphore weft_semaphore;
typedef struct weft_task weft_task;
typedef struct weft_blocking weft_blocking;
typedef struct weft_listener weft_listener;
typedef struct weft_stream weft_stream;
typedef struct weft_udp weft_udp;
typedef struct weft_pool weft_pool;
struct weft_host_api;

/* Every object the host hands out starts with this header, so that the inline functions below
 * reach the function table from any handle. Read-only for plugins. */
typedef struct weft_object_header {
    const struct weft_host_api* api;
} weft_object_header;

#define WEFT__API(object) (((const weft_object_header*)(const void*)(object))->api)

/* ============================================================================================
 * 3. Tasks
 * ========================================================================================== */

/* Polls a plugin task. Returns WEFT_OK when the task is done, WEFT_PENDING when it is waiting
 * (every WEFT_PENDING it received from the host registered its waker, or it woke itself), or an
 * error status: the task failed; the host logs the status with the plugin's name and a join
 * gives WEFT_ERR_TASK_FAILED. Never called again after it returned something other than
 * WEFT_PENDING. Called on a worker thread; never concurrently for one task. */
typedef weft_status (*weft_task_poll_fn)(void* state, weft_context* cx);

/* Releases a task's state: called exactly once, after the last poll, or instead of further polls
 * when the task is cancelled (abort, shutdown), on any thread, never during a poll. It must cancel
 * the task's pending operations (weft_op_cancel) and may call any host function that takes no
 * context. */
typedef void (*weft_task_drop_fn)(void* state);

/* Runs on a blocking-pool thread, where it may block (file I/O, a blocking library call). Its
 * return value is what weft_blocking_join gives. */
typedef weft_status (*weft_blocking_fn)(void* arg);

/* Releases a blocking job's argument: called exactly once, after the function ran, or instead of
 * it when the job was dropped before it started (shutdown). Any thread. May be NULL. */
typedef void (*weft_blocking_drop_fn)(void* arg);

/* One run of a scheduled job (section 6.10), as the host asks a job's start function for it. The
 * host fills the "in" fields and zeroes the "out" ones; the start function fills the "out" ones
 * with a task exactly as weft_task_spawn takes it. ABI 1.1. */
typedef struct weft_job_run {
    size_t size;            /* in: sizeof(weft_job_run) as the host knows it */
    const char* job_name;   /* in: the job's `name` in weftd.json (several jobs may run one task
                               function); host-owned, valid during the start call only */
    uint64_t run;           /* in: this job's run number, from 1 */
    weft_task_poll_fn poll; /* out: required */
    void* state;            /* out: the task's state, handed to poll and drop */
    weft_task_drop_fn drop; /* out: may be NULL */
} weft_job_run;

/* Creates the task of one run of a job: fills run->poll, run->state and run->drop and returns
 * WEFT_OK, or returns an error status (the run counts as failed and is logged with the job's and
 * the plugin's names; the job keeps its schedule). On WEFT_OK the host owns run->state and calls
 * run->drop(run->state) exactly once, as for weft_task_spawn, even if it cannot start the task
 * (shutdown). It must not wait: it only builds the task, which the host then spawns as a task of
 * the plugin. Called by the host's job scheduler on a thread of the host's (not a hook, not a
 * task), never concurrently with another start function of the same plugin, and never after the
 * plugin's shutdown token fired. */
typedef weft_status (*weft_job_start_fn)(void* user_data, weft_job_run* run);

/* Releases a job registration's user_data: called exactly once, after the plugin's last task was
 * dropped and before its destroy hook (also when its init failed after registering), on the host
 * thread running the shutdown (never during a poll). May be NULL. */
typedef void (*weft_job_drop_fn)(void* user_data);

/* ============================================================================================
 * 4. Messages
 *
 * Sending copies: the bytes passed to weft_channel_send are the caller's again when the call
 * returns, whatever it returned. Receiving gives the plugin the bytes in one of two ways:
 *   - into the plugin's own buffer, if it supplied one (`buffer`, `buffer_size`) and the message
 *     fits: `data` then points to `buffer` and `release` is NULL (nothing to give back, nothing
 *     allocated: the fast path for small fixed-size messages);
 *   - otherwise in a host-allocated buffer, which the plugin owns until it gives it back exactly
 *     once with weft_message_release (any thread, any time before the plugin's destroy returns;
 *     the host logs buffers never given back). The plugin may read and write data[0..len).
 * Calling weft_message_release is always correct, whichever way the bytes came.
 * ========================================================================================== */

typedef struct weft_message {
    size_t size;  /* in: sizeof(weft_message) as the plugin was compiled (WEFT_MESSAGE_INIT) */
    void* buffer; /* in, optional: where to put a message of at most buffer_size bytes */
    size_t buffer_size; /* in: the size of `buffer` (0: none) */
    void* data;         /* out: the bytes (`buffer`, or a host buffer; NULL when len is 0) */
    size_t len;         /* out: their count */
    uint64_t lagged;    /* out, with WEFT_ERR_LAGGED: how many messages this receiver skipped */
    /* out: frees a host buffer (NULL when there is none); called by weft_message_release. */
    void (*release)(struct weft_message* self);
    void* release_data; /* host-owned */
} weft_message;

#define WEFT_MESSAGE_INIT \
    { sizeof(weft_message), NULL, 0, NULL, 0, 0, NULL, NULL }

/* Gives a host buffer back (if the message has one) and resets the output fields; safe on an
 * empty or already released message. Keeps `buffer` and `buffer_size` for the next receive. */
static inline void weft_message_release(weft_message* message) {
    if (message && message->release) message->release(message);
    if (message) {
        message->data = NULL;
        message->len = 0;
        message->release = NULL;
        message->release_data = NULL;
    }
}

/* ============================================================================================
 * 5. The descriptor and its hooks
 *
 * Hooks run on the daemon's main thread, in the order init, start, (running), stop, destroy.
 * weftd calls init on every plugin of its config, in config order, before the first start, so a
 * plugin may rely in start on what other plugins' init created (named channels, say).
 * A hook reports failure by returning an error status (WEFT_ERR_PLUGIN if nothing fits better)
 * and writing a NUL-terminated message into `error` (at most `error_size` bytes, NUL included;
 * the host zeroed it and logs it with the plugin's name). A plugin whose init or start fails is
 * marked failed and unloaded (its tasks cancelled, destroy called if init succeeded); the other
 * plugins keep running. A hook must not let a C++ exception escape (the SDK guarantees this);
 * the host catches one anyway, logs it and treats it as a failure.
 * ========================================================================================== */

typedef struct weft_init_args {
    size_t size;                     /* sizeof(weft_init_args) as the host knows it */
    const struct weft_host_api* api; /* the function table; valid until destroy returns */
    weft_host* host;                 /* this instance's host handle; valid until destroy returns */
    const char* config_json;         /* the plugin's `config` from weftd.json, as JSON text;
                                        NUL-terminated; valid during init only */
    size_t config_len;               /* strlen(config_json) */
    const char* instance_name;       /* the plugin's `name` in weftd.json; valid during init */
} weft_init_args;

/* A channel the plugin opens (its manifest, below). A plugin that takes the channel's name or
 * capacity from its config names the key with a JSON pointer (RFC 6901, "/channel"): the value
 * there, when the config has one, replaces the default. ABI 1.2. */
typedef struct weft_manifest_channel {
    const char* name;          /* the channel's name (default); NULL ends a list */
    const char* name_from;     /* NULL, or a pointer to a string of the config replacing name */
    int kind;                  /* a weft_channel_kind (section 6); WEFT_CHANNEL_ANY: any */
    uint32_t capacity;         /* the capacity it opens with (default); 0: any */
    const char* capacity_from; /* NULL, or a pointer to an integer of the config replacing it */
    uint32_t flags;            /* WEFT_CHANNEL_SEND and/or WEFT_CHANNEL_RECV */
} weft_manifest_channel;

/* What a plugin promises to register and open, so that `weftd check-config` can find a job naming
 * a task the plugin never registers, or a channel declared with another kind or capacity than
 * the plugin opens, before weftd runs. Static storage. A NULL list means "not declared" (nothing
 * is checked); an empty list (only its terminator) means "none". The host never checks the
 * plugin's later calls against it; the C++ SDK logs a warning for a job task it lacks. ABI 1.2. */
typedef struct weft_plugin_manifest {
    size_t size;                           /* sizeof(weft_plugin_manifest) as compiled */
    const char* const* tasks;              /* job task names (6.10), NULL-terminated */
    const weft_manifest_channel* channels; /* ended by an entry whose name is NULL */
} weft_plugin_manifest;

typedef struct weft_plugin_descriptor {
    size_t size;         /* sizeof(weft_plugin_descriptor) as the plugin was compiled */
    uint32_t abi_major;  /* WEFT_PLUGIN_ABI_MAJOR the plugin was compiled with */
    uint32_t abi_minor;  /* WEFT_PLUGIN_ABI_MINOR the plugin was compiled with */
    const char* name;    /* e.g. "producer"; static storage */
    const char* version; /* the plugin's own version, e.g. "1.2.0"; static storage */

    /* Creates an instance from its config. May open named objects and spawn tasks (they start
     * running at once). Stores the instance in *instance (may be NULL if the plugin keeps none).
     * Returns WEFT_OK or an error with a message. Required. */
    weft_status (*init)(const weft_init_args* args, void** instance, char* error,
                        size_t error_size);
    /* The instance may start its work. Returns WEFT_OK or an error with a message. May be NULL. */
    weft_status (*start)(void* instance, char* error, size_t error_size);
    /* Called during shutdown after the plugin's shutdown token fired and its tasks finished or
     * the grace period ran out (tasks still running are cancelled after stop returns). Returns
     * WEFT_OK or an error with a message (logged; shutdown continues). May be NULL. */
    weft_status (*stop)(void* instance, char* error, size_t error_size);
    /* Frees the instance. Called exactly once when init succeeded, after every task of the plugin
     * was dropped; the library is unloaded after it returns. May be NULL. */
    void (*destroy)(void* instance);
    /* Checks a config without side effects and without a host (weftd check-config). Returns
     * WEFT_OK, or an error with a message saying what is wrong. May be NULL. */
    weft_status (*validate)(const char* config_json, size_t config_len, char* error,
                            size_t error_size);
    /* ABI 1.2: what the plugin registers and opens (see weft_plugin_manifest), or NULL. The host
     * reads it only from a descriptor whose size covers it: a 1.1 descriptor has none. */
    const weft_plugin_manifest* manifest;
    /* ABI 1.4: applies a new config to the running instance, or NULL. A live reload (SIGHUP,
     * `weftd reload`) whose file changed only this plugin's `config` (and whose validate hook
     * accepted it) calls it instead of restarting the plugin: on WEFT_OK the instance works with
     * the new config from then on, and weft_config_get_* (6.11) read the new one; on an error (a
     * change it cannot apply live: a port to listen on, a file to write) the host logs the message
     * and restarts the plugin with the new config: its shutdown token, grace period, stop, cancel
     * and destroy, then init and start, with named channels kept in place. Runs on the host's
     * thread under the hook deadline (shutdown.hook_timeout_ms), concurrently with the plugin's
     * tasks: what it changes, they must read safely (atomics, a mutex, a watch channel). Never
     * called before start returned or after the shutdown token fired. config_json is borrowed for
     * the call. The host reads it only from a descriptor whose size covers it. */
    weft_status (*reconfigure)(void* instance, const char* config_json, size_t config_len,
                               char* error, size_t error_size);
} weft_plugin_descriptor;

typedef const weft_plugin_descriptor* (*weft_plugin_entry_fn)(void);

/* Fills the fixed fields of a descriptor:
 *     static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("notify-c", "1.0.0"),
 *                                              my_init, my_start, my_stop, my_destroy, NULL,
 *                                              &my_manifest}; */
#define WEFT_DESCRIPTOR_HEADER(name, version) \
    sizeof(weft_plugin_descriptor), WEFT_PLUGIN_ABI_MAJOR, WEFT_PLUGIN_ABI_MINOR, (name), (version)

/* Writes a formatted, truncated, NUL-terminated message into a hook's error buffer. */
static inline void weft_error_set(char* error, size_t error_size, const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void weft_error_set(char* error, size_t error_size, const char* format, ...) {
    va_list args;
    if (!error || error_size == 0) return;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* ============================================================================================
 * 6. The host function table
 * ========================================================================================== */

typedef enum weft_log_level {
    WEFT_LOG_TRACE = 0,
    WEFT_LOG_DEBUG = 1,
    WEFT_LOG_INFO = 2,
    WEFT_LOG_WARN = 3,
    WEFT_LOG_ERROR = 4,
    WEFT_LOG_CRITICAL = 5
} weft_log_level;

typedef enum weft_channel_kind {
    WEFT_CHANNEL_ANY = 0,       /* open: whatever the config declared (it must exist) */
    WEFT_CHANNEL_MPSC = 1,      /* bounded; many senders, one receiving task at a time */
    WEFT_CHANNEL_MPMC = 2,      /* bounded; many senders, many receivers, each message once */
    WEFT_CHANNEL_BROADCAST = 3, /* bounded ring; every receiving handle gets every message */
    WEFT_CHANNEL_WATCH = 4      /* one value; receivers see the latest */
} weft_channel_kind;

/* weft_channel_open flags: what the handle may do. */
#define WEFT_CHANNEL_SEND 0x1u
#define WEFT_CHANNEL_RECV 0x2u

typedef struct weft_channel_info {
    size_t size;            /* in: sizeof(weft_channel_info) */
    weft_channel_kind kind; /* out */
    uint32_t capacity;      /* out: 1 for watch */
    uint32_t flags;         /* out: the handle's WEFT_CHANNEL_SEND / _RECV */
    uint64_t queued;        /* out: messages buffered now (approximate under concurrency) */
} weft_channel_info;

typedef struct weft_metrics {
    size_t size;            /* in: sizeof(weft_metrics); the host fills what fits */
    uint64_t workers;       /* runtime worker threads */
    uint64_t alive_tasks;   /* every task of the runtime, all plugins and the host's */
    uint64_t spawned_tasks; /* total since start */
    uint64_t global_queue_depth;
    uint64_t blocking_threads;
    uint64_t idle_blocking_threads;
    uint64_t blocking_queue_depth;
    uint64_t polls;                /* summed over workers */
    uint64_t steals;               /* summed over workers */
    uint64_t parks;                /* summed over workers */
    uint64_t budget_forced_yields; /* summed over workers */
    uint64_t plugin_tasks;         /* this plugin's live tasks and blocking jobs */
} weft_metrics;

/* 1.3: pools. What a pool holds (weft_pool_info.kind). */
typedef enum weft_pool_kind {
    WEFT_POOL_TCP = 1,     /* connected TCP streams to the configured address */
    WEFT_POOL_RESOURCE = 2 /* slots for the plugin's own resources (the SDK's generic pool) */
} weft_pool_kind;

/* A pool's configured limits (durations in nanoseconds, 0: none) and its state now. */
typedef struct weft_pool_info {
    size_t size;         /* in: sizeof(weft_pool_info); the host fills what fits */
    weft_pool_kind kind; /* out */
    uint32_t max_size;
    uint32_t min_idle;
    uint64_t idle_timeout_ns;
    uint64_t max_lifetime_ns;
    uint64_t acquire_timeout_ns;
    uint64_t in_use;  /* acquired and not yet released or discarded */
    uint64_t idle;    /* tcp: connections open and idle (resource: as last recorded) */
    uint64_t waiters; /* acquires waiting now */
} weft_pool_info;

/* What a resource pool's plugin reports (weft_pool_record), so /status and /metrics show its
 * resources as they show a tcp pool's connections. */
typedef enum weft_pool_event {
    WEFT_POOL_CREATED = 1,         /* a resource was created */
    WEFT_POOL_CREATE_FAILED = 2,   /* creating one failed */
    WEFT_POOL_CLOSED_IDLE = 3,     /* one was closed after idle_timeout */
    WEFT_POOL_CLOSED_LIFETIME = 4, /* one was closed at max_lifetime */
    WEFT_POOL_IDLE_COUNT = 5       /* `value` resources are idle now */
} weft_pool_event;

/* Nanoseconds on the runtime's monotonic clock (CLOCK_MONOTONIC). */
typedef uint64_t weft_instant;

/* One label of a plugin metric (ABI 1.3, section 6.13). */
typedef struct weft_metric_label {
    const char* name;  /* borrowed for the call */
    const char* value; /* borrowed for the call */
} weft_metric_label;

typedef struct weft_host_api {
    size_t size; /* sizeof(weft_host_api) as the host was compiled: see WEFT_API_HAS */
    uint32_t abi_major;
    uint32_t abi_minor;

    /* host and logging */
    const char* (*host_name)(weft_host* host);
    const char* (*last_error)(void);
    void (*log)(weft_host* host, weft_log_level level, const char* message, size_t len);
    int (*log_enabled)(weft_host* host, weft_log_level level);
    weft_status (*metrics_read)(weft_host* host, weft_metrics* out);

    /* contexts, wakers, operations */
    void (*context_wake)(weft_context* cx);
    weft_status (*context_waker)(weft_context* cx, weft_waker** out);
    void (*waker_wake)(weft_waker* waker);
    void (*waker_wake_by_ref)(weft_waker* waker);
    void (*waker_drop)(weft_waker* waker);
    void (*op_cancel)(weft_op* op);

    /* tasks */
    weft_status (*task_spawn)(weft_host* host, weft_task_poll_fn poll, void* state,
                              weft_task_drop_fn drop, weft_task** join);
    weft_status (*task_join)(weft_context* cx, weft_task* task);
    void (*task_abort)(weft_task* task);
    int (*task_is_finished)(weft_task* task);
    void (*task_release)(weft_task* task);

    /* blocking pool */
    weft_status (*blocking_spawn)(weft_host* host, weft_blocking_fn fn, void* arg,
                                  weft_blocking_drop_fn drop, weft_blocking** join);
    weft_status (*blocking_join)(weft_context* cx, weft_blocking* job);
    void (*blocking_release)(weft_blocking* job);

    /* time */
    weft_instant (*time_now)(weft_host* host);
    weft_status (*time_sleep_until)(weft_context* cx, weft_instant deadline, weft_op** op);
    weft_status (*time_sleep)(weft_context* cx, uint64_t duration_ns, weft_op** op);

    /* shutdown token */
    int (*shutdown_is_requested)(weft_host* host);
    weft_status (*shutdown_wait)(weft_context* cx, weft_host* host, weft_op** op);

    /* named channels */
    weft_status (*channel_open)(weft_host* host, const char* name, weft_channel_kind kind,
                                uint32_t capacity, uint32_t flags, weft_channel** out);
    void (*channel_close)(weft_channel* channel);
    weft_status (*channel_query)(weft_channel* channel, weft_channel_info* out);
    weft_status (*channel_send)(weft_context* cx, weft_channel* channel, const void* data,
                                size_t len, weft_op** op);
    weft_status (*channel_try_send)(weft_channel* channel, const void* data, size_t len);
    weft_status (*channel_recv)(weft_context* cx, weft_channel* channel, weft_message* out,
                                weft_op** op);
    weft_status (*channel_try_recv)(weft_channel* channel, weft_message* out);

    /* named Notify */
    weft_status (*notify_open)(weft_host* host, const char* name, weft_notify** out);
    void (*notify_close)(weft_notify* notify);
    void (*notify_notify_one)(weft_notify* notify);
    void (*notify_notify_waiters)(weft_notify* notify);
    weft_status (*notify_notified)(weft_context* cx, weft_notify* notify, weft_op** op);

    /* named semaphores */
    weft_status (*semaphore_open)(weft_host* host, const char* name, uint32_t permits,
                                  weft_semaphore** out);
    void (*semaphore_close)(weft_semaphore* semaphore);
    weft_status (*semaphore_acquire)(weft_context* cx, weft_semaphore* semaphore, uint32_t n,
                                     weft_op** op);
    weft_status (*semaphore_try_acquire)(weft_semaphore* semaphore, uint32_t n);
    weft_status (*semaphore_release)(weft_semaphore* semaphore, uint32_t n);
    uint64_t (*semaphore_available)(weft_semaphore* semaphore);

    /* jobs (ABI 1.1) */
    weft_status (*job_register)(weft_host* host, const char* name, weft_job_start_fn start,
                                void* user_data, weft_job_drop_fn drop);

    /* the plugin's config by JSON pointer (ABI 1.2) */
    weft_status (*config_get_int)(weft_host* host, const char* pointer, int64_t* out);
    weft_status (*config_get_double)(weft_host* host, const char* pointer, double* out);
    weft_status (*config_get_bool)(weft_host* host, const char* pointer, int* out);
    weft_status (*config_get_string)(weft_host* host, const char* pointer, const char** out,
                                     size_t* len);
    weft_status (*config_get_array_length)(weft_host* host, const char* pointer, size_t* out);

    /* network (ABI 1.2) */
    weft_status (*tcp_listen)(weft_host* host, const char* address, int backlog,
                              weft_listener** out);
    weft_status (*unix_listen)(weft_host* host, const char* path, int backlog, weft_listener** out);
    weft_status (*listener_accept)(weft_context* cx, weft_listener* listener, weft_stream** out);
    weft_status (*listener_local_addr)(weft_listener* listener, char* buf, size_t size);
    void (*listener_close)(weft_listener* listener);
    weft_status (*tcp_connect)(weft_context* cx, weft_host* host, const char* address,
                               uint64_t timeout_ns, weft_stream** out, weft_op** op);
    weft_status (*unix_connect)(weft_context* cx, weft_host* host, const char* path,
                                uint64_t timeout_ns, weft_stream** out, weft_op** op);
    weft_status (*stream_read)(weft_context* cx, weft_stream* stream, void* buf, size_t len,
                               size_t* n);
    weft_status (*stream_write)(weft_context* cx, weft_stream* stream, const void* data, size_t len,
                                size_t* n);
    weft_status (*stream_shutdown)(weft_stream* stream);
    weft_status (*stream_set_nodelay)(weft_stream* stream, int on);
    weft_status (*stream_peer_addr)(weft_stream* stream, char* buf, size_t size);
    void (*stream_close)(weft_stream* stream);
    weft_status (*udp_bind)(weft_host* host, const char* address, weft_udp** out);
    weft_status (*udp_connect)(weft_udp* udp, const char* address);
    weft_status (*udp_send_to)(weft_context* cx, weft_udp* udp, const void* data, size_t len,
                               const char* address, size_t* n);
    weft_status (*udp_recv_from)(weft_context* cx, weft_udp* udp, void* buf, size_t len, size_t* n,
                                 char* from, size_t from_size);
    weft_status (*udp_local_addr)(weft_udp* udp, char* buf, size_t size);
    void (*udp_close)(weft_udp* udp);
    weft_status (*resolve)(weft_context* cx, weft_host* host, const char* host_port, char* out,
                           size_t out_size, size_t* count, weft_op** op);

    /* plugin metrics and the state directory (ABI 1.3) */
    weft_status (*metric_counter_add)(weft_host* host, const char* name,
                                      const weft_metric_label* labels, size_t label_count,
                                      uint64_t delta);
    weft_status (*metric_gauge_set)(weft_host* host, const char* name,
                                    const weft_metric_label* labels, size_t label_count,
                                    double value);
    weft_status (*state_directory)(weft_host* host, const char** out, size_t* len);
    /* 1.3: pools */
    weft_status (*pool_open)(weft_host* host, const char* name, weft_pool** out);
    void (*pool_close)(weft_pool* pool);
    weft_status (*pool_query)(weft_pool* pool, weft_pool_info* out);
    weft_status (*pool_acquire)(weft_context* cx, weft_pool* pool, weft_stream** out, weft_op** op);
    weft_status (*pool_release)(weft_pool* pool, weft_stream* conn);
    weft_status (*pool_discard)(weft_pool* pool, weft_stream* conn);
    weft_status (*pool_record)(weft_pool* pool, weft_pool_event event, uint64_t value);
    /* 1.5: named tasks */
    weft_status (*task_spawn_named)(weft_host* host, const char* name, weft_task_poll_fn poll,
                                    void* state, weft_task_drop_fn drop, weft_task** join);
} weft_host_api;

/* True when the host's table has `member` (a newer plugin on an older host checks before use). */
#define WEFT_API_HAS(api, member)                                              \
    ((api)->size >= offsetof(weft_host_api, member) + sizeof((api)->member) && \
     (api)->member != NULL)

/* --------------------------------------------------------------------------------------------
 * 6.1 Host and logging
 * ------------------------------------------------------------------------------------------ */

/* The instance's name from weftd.json (host-owned, valid until destroy returns). Any thread. */
static inline const char* weft_host_name(weft_host* host) {
    if (!host) return "";
    return WEFT__API(host)->host_name(host);
}

/* A description of why the last failing host call on this thread failed (e.g. "channel 'events'
 * is mpsc with capacity 1024, opened as broadcast with capacity 16"), or "" if none. Host-owned,
 * thread-local, valid until the next host call on this thread. Needs any handle for the table. */
static inline const char* weft_last_error(weft_host* host) {
    if (!host) return "weft_last_error: a NULL handle reaches no host (pass any handle)";
    return WEFT__API(host)->last_error();
}

/* Logs `message` (len bytes, need not be NUL-terminated) at `level`, tagged with the plugin's
 * name, through the daemon's logger (stderr or journald). Copies the text. Any thread. */
static inline void weft_log_n(weft_host* host, weft_log_level level, const char* message,
                              size_t len) {
    if (host) WEFT__API(host)->log(host, level, message, len);
}
static inline void weft_log(weft_host* host, weft_log_level level, const char* message) {
    if (host) WEFT__API(host)->log(host, level, message, message ? strlen(message) : 0);
}
/* Nonzero when a line at `level` would be written (skip formatting otherwise). Any thread. */
static inline int weft_log_enabled(weft_host* host, weft_log_level level) {
    if (!host) return 0;
    return WEFT__API(host)->log_enabled(host, level);
}
/* printf-style logging; lines longer than 1 KiB are truncated. */
static inline void weft_logf(weft_host* host, weft_log_level level, const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void weft_logf(weft_host* host, weft_log_level level, const char* format, ...) {
    char line[1024];
    va_list args;
    int n;
    if (!weft_log_enabled(host, level)) return;
    va_start(args, format);
    n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0) return;
    weft_log_n(host, level, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Reads the runtime's metrics into `out` (set out->size first). Returns WEFT_OK, or
 * WEFT_ERR_INVALID_ARGUMENT if out is NULL or out->size is too small for the first field.
 * Never stops the runtime. Any thread. */
static inline weft_status weft_metrics_read(weft_host* host, weft_metrics* out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->metrics_read(host, out);
}

/* --------------------------------------------------------------------------------------------
 * 6.2 Contexts, wakers and operations
 * ------------------------------------------------------------------------------------------ */

/* Wakes the task being polled (it will be polled again soon): return WEFT_PENDING after this to
 * yield. Only during the poll that received cx, on its thread. */
static inline void weft_context_wake(weft_context* cx) {
    if (cx) WEFT__API(cx)->context_wake(cx);
}

/* Clones the polled task's waker into *out, for waking the task later from anywhere (a thread of
 * the plugin's, a callback). The plugin owns the waker: consume it with weft_waker_wake or
 * weft_waker_drop. Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT (NULL argument) or
 * WEFT_ERR_NO_MEMORY. Only during the poll that received cx. */
static inline weft_status weft_context_waker(weft_context* cx, weft_waker** out) {
    if (!cx) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(cx)->context_waker(cx, out);
}
/* Wakes the task and consumes the waker. Any thread; idempotent with respect to the task (many
 * wakes before the next poll schedule it once). */
static inline void weft_waker_wake(weft_waker* waker) {
    if (waker) WEFT__API(waker)->waker_wake(waker);
}
/* Wakes the task and keeps the waker. Any thread. */
static inline void weft_waker_wake_by_ref(weft_waker* waker) {
    if (waker) WEFT__API(waker)->waker_wake_by_ref(waker);
}
/* Releases the waker without waking. Any thread. */
static inline void weft_waker_drop(weft_waker* waker) {
    if (waker) WEFT__API(waker)->waker_drop(waker);
}

/* Abandons the pending operation in *op (if any) and sets *op to NULL. Each operation says what
 * cancelling loses (most lose nothing). Any thread, but not concurrently with a call polling the
 * same slot. */
static inline void weft_op_cancel(weft_op** op) {
    if (op && *op) {
        weft_op* pending = *op;
        *op = NULL;
        WEFT__API(pending)->op_cancel(pending);
    }
}

/* --------------------------------------------------------------------------------------------
 * 6.3 Tasks
 * ------------------------------------------------------------------------------------------ */

/* Spawns a task owned by this plugin: the host polls `poll(state, cx)` on the runtime until it
 * returns something other than WEFT_PENDING, then calls `drop(state)` (drop may be NULL). If
 * `join` is not NULL it receives a join handle (the plugin releases it with weft_task_release);
 * otherwise the task is detached. The host owns `state` from a successful call until it calls
 * drop; on failure the host never calls poll or drop and `state` is still the caller's.
 * Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT (NULL poll), WEFT_ERR_SHUTDOWN (the plugin's
 * shutdown passed the point where tasks are cancelled, or it failed) or WEFT_ERR_NO_MEMORY.
 * Any thread, including hooks. The shutdown sequence cancels the plugin's tasks that are still
 * running after its grace period. */
static inline weft_status weft_task_spawn(weft_host* host, weft_task_poll_fn poll, void* state,
                                          weft_task_drop_fn drop, weft_task** join) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->task_spawn(host, poll, state, drop, join);
}
/* Maximum length of a task's name in bytes (weft_task_spawn_named), without the NUL. */
#define WEFT_TASK_NAME_MAX 128

/* weft_task_spawn with a name for the task (ABI 1.5), as Tokio's task::Builder::name: the
 * name, not the task's number and spawn site, then identifies the task wherever weftd shows
 * it (a long poll's log lines, a failed task's line, the task view: GET /tasks). Names
 * need not be unique. `name` is borrowed for the call (the host copies it); NULL or "" spawns
 * an unnamed task, as weft_task_spawn. Returns what weft_task_spawn returns, and
 * WEFT_ERR_INVALID_ARGUMENT (nothing spawned; weft_last_error says why) for a name longer
 * than WEFT_TASK_NAME_MAX bytes or holding a control character (a byte below 0x20, or 0x7f).
 * On a host older than 1.5 the task is spawned unnamed. Any thread, including hooks. */
static inline weft_status weft_task_spawn_named(weft_host* host, const char* name,
                                                weft_task_poll_fn poll, void* state,
                                                weft_task_drop_fn drop, weft_task** join) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), task_spawn_named))
        return WEFT__API(host)->task_spawn(host, poll, state, drop, join);
    return WEFT__API(host)->task_spawn_named(host, name, poll, state, drop, join);
}
/* Waits for the task to finish. Returns WEFT_OK (its poll returned WEFT_OK), WEFT_PENDING,
 * WEFT_ERR_CANCELLED (aborted or cancelled at shutdown), WEFT_ERR_TASK_FAILED (its poll returned
 * an error or threw) or WEFT_ERR_INVALID_ARGUMENT. Needs no operation slot: the handle holds the
 * wait; cancel-safe (just stop polling); may be called again after it finished (same result).
 * One task at a time may join a given handle. */
static inline weft_status weft_task_join(weft_context* cx, weft_task* task) {
    if (!task) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(task)->task_join(cx, task);
}
/* Cancels the task: an idle task is dropped at once, a running one when its poll returns. No
 * effect on a finished task. Any thread. */
static inline void weft_task_abort(weft_task* task) {
    if (task) WEFT__API(task)->task_abort(task);
}
/* Nonzero once the task finished (any outcome). Any thread. */
static inline int weft_task_is_finished(weft_task* task) {
    if (!task) return 0;
    return WEFT__API(task)->task_is_finished(task);
}
/* Releases the join handle; the task keeps running (detached). Any thread; once. */
static inline void weft_task_release(weft_task* task) {
    if (task) WEFT__API(task)->task_release(task);
}

/* --------------------------------------------------------------------------------------------
 * 6.4 The blocking pool
 * ------------------------------------------------------------------------------------------ */

/* Runs fn(arg) on the runtime's blocking pool, then calls drop(arg) (drop may be NULL). If `join`
 * is not NULL it receives a handle to wait for the result (release it with
 * weft_blocking_release); otherwise the job is detached. `arg` is the host's from a successful
 * call until drop; the plugin must keep whatever arg points to alive until then. Jobs still
 * queued at shutdown are dropped without running; running ones are waited for up to the
 * configured blocking timeout. Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT (NULL fn),
 * WEFT_ERR_SHUTDOWN or WEFT_ERR_NO_MEMORY. Any thread. */
static inline weft_status weft_blocking_spawn(weft_host* host, weft_blocking_fn fn, void* arg,
                                              weft_blocking_drop_fn drop, weft_blocking** join) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->blocking_spawn(host, fn, arg, drop, join);
}
/* Waits for the job. Returns what fn returned, WEFT_PENDING, WEFT_ERR_CANCELLED (it never ran:
 * shutdown), WEFT_ERR_TASK_FAILED (fn threw) or WEFT_ERR_INVALID_ARGUMENT. Cancel-safe: the job
 * runs on whether or not anyone waits. One task at a time per handle. */
static inline weft_status weft_blocking_join(weft_context* cx, weft_blocking* job) {
    if (!job) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(job)->blocking_join(cx, job);
}
/* Releases the handle; the job runs on (detached). Any thread; once. */
static inline void weft_blocking_release(weft_blocking* job) {
    if (job) WEFT__API(job)->blocking_release(job);
}

/* --------------------------------------------------------------------------------------------
 * 6.5 Time
 *
 * Timeouts: poll the operation first, then a weft_time_sleep_until for the deadline in the same
 * poll; whichever is ready first wins and the other is cancelled (the C++ SDK's weft::timeout
 * does exactly this).
 * ------------------------------------------------------------------------------------------ */

/* The runtime's monotonic clock, in nanoseconds. Any thread. */
static inline weft_instant weft_time_now(weft_host* host) {
    if (!host) return 0;
    return WEFT__API(host)->time_now(host);
}

/* Waits until `deadline` (weft_time_now's clock; millisecond resolution, never early). Returns
 * WEFT_OK, WEFT_PENDING or WEFT_ERR_SHUTDOWN (the runtime's timers are gone). Cancel-safe. */
static inline weft_status weft_time_sleep_until(weft_context* cx, weft_instant deadline,
                                                weft_op** op) {
    if (!cx) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(cx)->time_sleep_until(cx, deadline, op);
}

/* Waits `duration_ns` nanoseconds from the first call (the deadline is fixed then; later calls for
 * the same pending operation ignore duration_ns). Returns as weft_time_sleep_until. */
static inline weft_status weft_time_sleep(weft_context* cx, uint64_t duration_ns, weft_op** op) {
    if (!cx) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(cx)->time_sleep(cx, duration_ns, op);
}

/* --------------------------------------------------------------------------------------------
 * 6.6 The shutdown token
 *
 * Each plugin has one. It fires when weftd begins its graceful shutdown (SIGINT, SIGTERM); the
 * plugin's tasks should then finish what they hold and return. After the grace period
 * (shutdown.grace_period_ms) the remaining tasks are cancelled.
 * ------------------------------------------------------------------------------------------ */

/* Nonzero once the shutdown token fired. Any thread. */
static inline int weft_shutdown_is_requested(weft_host* host) {
    if (!host) return 0;
    return WEFT__API(host)->shutdown_is_requested(host);
}
/* Waits for the shutdown token. Returns WEFT_OK (fired) or WEFT_PENDING. Cancel-safe. */
static inline weft_status weft_shutdown_wait(weft_context* cx, weft_host* host, weft_op** op) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->shutdown_wait(cx, host, op);
}

/* --------------------------------------------------------------------------------------------
 * 6.7 Named channels
 *
 * A channel is declared in weftd.json (`channels`: name, kind, capacity) or created by the first
 * weft_channel_open that names a kind; later opens of the name share it, across plugins. Opening
 * with another kind, or another nonzero capacity, fails with WEFT_ERR_MISMATCH and a message
 * naming both (weft_last_error, and the log).
 *
 *   kind       send                               recv
 *   mpsc       waits while full (backpressure)    one receiving task at a time (WEFT_ERR_BUSY)
 *   mpmc       waits while full                   any number; each message to one receiver
 *   broadcast  never waits; the oldest message    each RECV handle gets every message sent
 *              is overwritten when full           after it opened; a receiver that fell behind
 *                                                 gets WEFT_ERR_LAGGED (out->lagged skipped)
 *                                                 and resumes at the oldest kept message
 *   watch      never waits; replaces the value    waits until the value changed since this
 *                                                 handle last saw it, then gives a copy
 *
 * Closing. A channel never closes while weftd runs. During shutdown it closes once no open
 * handle with WEFT_CHANNEL_SEND is left: receivers drain what is buffered, then get
 * WEFT_ERR_CLOSED. A plugin's handles stop accepting sends (WEFT_ERR_CLOSED) once its shutdown
 * token fired and it has no task left, and the host closes every handle a plugin left open after
 * its destroy. A message a channel accepted is delivered, or counted in the shutdown log as
 * dropped (with the channel's name): never lost silently.
 *
 * No receiver (ABI 1.2). Once every handle with WEFT_CHANNEL_RECV of an mpsc or mpmc channel
 * was closed (after at least one had been opened: a sender may start before its receiver),
 * sends fail with WEFT_ERR_NO_RECEIVER, not accepted, instead of filling a buffer nobody takes
 * from; a send waiting for room is woken to return it. weftd counts these sends
 * (weft_channel_no_receiver_sends_total). What was buffered stays; when a receiver opens the
 * channel again (a restarted plugin), it receives those messages and sends are accepted again,
 * so a sender may retry later. A plugin built for ABI 1.1 or older never gets this status: its
 * sends are accepted as before (and counted).
 * ------------------------------------------------------------------------------------------ */

/* Opens the channel `name` (copied) for `flags` (WEFT_CHANNEL_SEND and/or WEFT_CHANNEL_RECV).
 * kind WEFT_CHANNEL_ANY and capacity 0 accept whatever exists (then it must exist). A new
 * channel needs a kind and, except for watch, a capacity of at least 1. On WEFT_OK, *out is a
 * handle the plugin closes with weft_channel_close. Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT
 * (NULL or empty name, no flags, unknown kind, capacity 0 for a new mpsc/mpmc/broadcast),
 * WEFT_ERR_NOT_FOUND (ANY or capacity 0 for a name that does not exist), WEFT_ERR_MISMATCH,
 * WEFT_ERR_SHUTDOWN or WEFT_ERR_NO_MEMORY; see weft_last_error for details. Any thread. */
static inline weft_status weft_channel_open(weft_host* host, const char* name,
                                            weft_channel_kind kind, uint32_t capacity,
                                            uint32_t flags, weft_channel** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->channel_open(host, name, kind, capacity, flags, out);
}
/* Closes the handle: a broadcast receiver's unread messages are counted as dropped; the handle's
 * sending rights end. Pending operations on it must have been cancelled. Any thread; once. */
static inline void weft_channel_close(weft_channel* channel) {
    if (channel) WEFT__API(channel)->channel_close(channel);
}
/* Describes the channel (set out->size first). Returns WEFT_OK or WEFT_ERR_INVALID_ARGUMENT. */
static inline weft_status weft_channel_query(weft_channel* channel, weft_channel_info* out) {
    if (!channel) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(channel)->channel_query(channel, out);
}
/* Sends a copy of data[0..len) (len may be 0). Waits while an mpsc or mpmc channel is full.
 * Returns WEFT_OK (accepted), WEFT_PENDING, WEFT_ERR_CLOSED (closed, or this handle may no
 * longer send; not accepted), WEFT_ERR_NO_RECEIVER (every receiver closed its handle; not
 * accepted; also while pending) or WEFT_ERR_INVALID_ARGUMENT (handle without WEFT_CHANNEL_SEND;
 * data NULL with len > 0) or WEFT_ERR_NO_MEMORY. The bytes are copied by the first call; later
 * calls for the same pending operation ignore data and len. Cancel-safe: a cancelled send was
 * not accepted, and the message is discarded. */
static inline weft_status weft_channel_send(weft_context* cx, weft_channel* channel,
                                            const void* data, size_t len, weft_op** op) {
    if (!channel) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(channel)->channel_send(cx, channel, data, len, op);
}
/* Sends without waiting. Returns WEFT_OK, WEFT_ERR_FULL, WEFT_ERR_CLOSED, WEFT_ERR_NO_RECEIVER,
 * WEFT_ERR_INVALID_ARGUMENT or WEFT_ERR_NO_MEMORY. Any thread, including hooks. */
static inline weft_status weft_channel_try_send(weft_channel* channel, const void* data,
                                                size_t len) {
    if (!channel) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(channel)->channel_try_send(channel, data, len);
}
/* Receives the next message into *out (out->size set, e.g. WEFT_MESSAGE_INIT; optionally a
 * buffer of the plugin's, see section 4). Returns WEFT_OK (the bytes are in out->data; call
 * weft_message_release when done with them), WEFT_PENDING, WEFT_ERR_CLOSED (closed and
 * drained), WEFT_ERR_LAGGED (broadcast; out->lagged says how many were skipped; receive again),
 * WEFT_ERR_BUSY (mpsc: another task of any plugin is receiving), WEFT_ERR_INVALID_ARGUMENT
 * (handle without WEFT_CHANNEL_RECV) or WEFT_ERR_NO_MEMORY. Cancel-safe: a cancelled receive
 * took no message. */
static inline weft_status weft_channel_recv(weft_context* cx, weft_channel* channel,
                                            weft_message* out, weft_op** op) {
    if (!channel) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(channel)->channel_recv(cx, channel, out, op);
}
/* Receives without waiting. Returns WEFT_OK, WEFT_ERR_EMPTY, WEFT_ERR_CLOSED, WEFT_ERR_LAGGED,
 * WEFT_ERR_BUSY, WEFT_ERR_INVALID_ARGUMENT or WEFT_ERR_NO_MEMORY. Any thread. */
static inline weft_status weft_channel_try_recv(weft_channel* channel, weft_message* out) {
    if (!channel) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(channel)->channel_try_recv(channel, out);
}

/* --------------------------------------------------------------------------------------------
 * 6.8 Named Notify (Tokio's Notify)
 * ------------------------------------------------------------------------------------------ */

/* Opens (creating on first use) the Notify `name`. Close with weft_notify_close. Returns WEFT_OK,
 * WEFT_ERR_INVALID_ARGUMENT, WEFT_ERR_SHUTDOWN or WEFT_ERR_NO_MEMORY. Any thread. */
static inline weft_status weft_notify_open(weft_host* host, const char* name, weft_notify** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->notify_open(host, name, out);
}
/* Closes the handle (cancel its pending operations first). Any thread; once. */
static inline void weft_notify_close(weft_notify* notify) {
    if (notify) WEFT__API(notify)->notify_close(notify);
}
/* Wakes one waiting task, or stores one permit (at most one) for the next weft_notify_notified
 * when nobody waits. Any thread. */
static inline void weft_notify_notify_one(weft_notify* notify) {
    if (notify) WEFT__API(notify)->notify_notify_one(notify);
}
/* Wakes every task waiting now; stores no permit. Any thread. */
static inline void weft_notify_notify_waiters(weft_notify* notify) {
    if (notify) WEFT__API(notify)->notify_notify_waiters(notify);
}
/* Waits for a notification (or takes the stored permit). Returns WEFT_OK, WEFT_PENDING or
 * WEFT_ERR_INVALID_ARGUMENT. The wait is registered by the first call, so a notify_waiters after
 * it returned WEFT_PENDING is not missed. Cancel-safe: a notify_one given to a cancelled wait is
 * passed on to the next waiter. */
static inline weft_status weft_notify_notified(weft_context* cx, weft_notify* notify,
                                               weft_op** op) {
    if (!notify) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(notify)->notify_notified(cx, notify, op);
}

/* --------------------------------------------------------------------------------------------
 * 6.9 Named semaphores (FIFO-fair)
 * ------------------------------------------------------------------------------------------ */

/* Opens the semaphore `name`, declared in weftd.json (`semaphores`) or created with `permits` by
 * the first open. permits 0 accepts whatever exists (then it must exist); a nonzero count
 * different from the existing one's is WEFT_ERR_MISMATCH. Returns WEFT_OK,
 * WEFT_ERR_INVALID_ARGUMENT, WEFT_ERR_NOT_FOUND, WEFT_ERR_MISMATCH, WEFT_ERR_SHUTDOWN or
 * WEFT_ERR_NO_MEMORY. Any thread. */
static inline weft_status weft_semaphore_open(weft_host* host, const char* name, uint32_t permits,
                                              weft_semaphore** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(host)->semaphore_open(host, name, permits, out);
}
/* Closes the handle; permits it still holds are released. Any thread; once. */
static inline void weft_semaphore_close(weft_semaphore* semaphore) {
    if (semaphore) WEFT__API(semaphore)->semaphore_close(semaphore);
}
/* Acquires n permits (waiting in FIFO order); the handle holds them until
 * weft_semaphore_release. Returns WEFT_OK, WEFT_PENDING, WEFT_ERR_CLOSED or
 * WEFT_ERR_INVALID_ARGUMENT (n is 0 or more than the semaphore has in all). Cancel-safe: permits
 * assigned to a cancelled acquire go back to the semaphore. */
static inline weft_status weft_semaphore_acquire(weft_context* cx, weft_semaphore* semaphore,
                                                 uint32_t n, weft_op** op) {
    if (!semaphore) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(semaphore)->semaphore_acquire(cx, semaphore, n, op);
}
/* Acquires n permits without waiting. Returns WEFT_OK, WEFT_ERR_EMPTY (not enough now),
 * WEFT_ERR_CLOSED or WEFT_ERR_INVALID_ARGUMENT. Any thread. */
static inline weft_status weft_semaphore_try_acquire(weft_semaphore* semaphore, uint32_t n) {
    if (!semaphore) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(semaphore)->semaphore_try_acquire(semaphore, n);
}
/* Gives back n permits this handle acquired. Returns WEFT_OK or WEFT_ERR_INVALID_ARGUMENT (the
 * handle holds fewer than n). Any thread. */
static inline weft_status weft_semaphore_release(weft_semaphore* semaphore, uint32_t n) {
    if (!semaphore) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__API(semaphore)->semaphore_release(semaphore, n);
}
/* Permits available now (approximate under concurrency). Any thread. */
static inline uint64_t weft_semaphore_available(weft_semaphore* semaphore) {
    if (!semaphore) return 0;
    return WEFT__API(semaphore)->semaphore_available(semaphore);
}

/* --------------------------------------------------------------------------------------------
 * 6.10 Jobs (ABI 1.1)
 *
 * A plugin registers named task functions; weftd.json's `jobs` run them on a schedule (interval,
 * cron, or once after a delay), each run a new task of the plugin, created by the registration's
 * start function (weft_job_start_fn). weftd binds every configured job to its plugin's
 * registration once, after every plugin's start hook returned: register in init or start. A job
 * naming a task its plugin did not register is logged as an error (with what the plugin did
 * register) and not scheduled; the other jobs run. A job's runs never overlap: when a run is still
 * going at the next due time, that occurrence is skipped, or (overlap "queue") run once right
 * after the current run ends. A run is an ordinary task of the plugin: its shutdown token and the
 * grace period apply to it. Once the shutdown begins, no run is started any more.
 * ------------------------------------------------------------------------------------------ */

/* Registers the task function `name` (copied; non-empty; a job's `task` in weftd.json names it).
 * The host keeps `start`, `user_data` and `drop` until it calls drop(user_data) (see
 * weft_job_drop_fn); on failure it keeps nothing and never calls them. Returns WEFT_OK,
 * WEFT_ERR_INVALID_ARGUMENT (NULL or empty name, NULL start), WEFT_ERR_EXISTS (this plugin
 * already registered `name`; other plugins' names do not collide), WEFT_ERR_UNSUPPORTED (too
 * late: weftd already bound the configured jobs, after every plugin started; or the host predates
 * ABI 1.1), WEFT_ERR_SHUTDOWN (the plugin's shutdown token fired, or the plugin failed) or
 * WEFT_ERR_NO_MEMORY; weft_last_error says more. Any thread; typically init or start. */
static inline weft_status weft_job_register(weft_host* host, const char* name,
                                            weft_job_start_fn start, void* user_data,
                                            weft_job_drop_fn drop) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), job_register)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->job_register(host, name, start, user_data, drop);
}

/* --------------------------------------------------------------------------------------------
 * 6.11 The plugin's config by JSON pointer (ABI 1.2)
 *
 * The plugin's `config` from weftd.json, as init received it as text, read without a JSON parser:
 * `pointer` is an RFC 6901 JSON pointer into it ("/rate_hz", "/targets/0/port"; "" is the whole
 * config). Each call returns WEFT_OK and fills *out, or: WEFT_ERR_NOT_FOUND (nothing at the
 * pointer: a missing key or index, or a step through a value that is not an object or array),
 * WEFT_ERR_MISMATCH (a value of another type; for an integer also a fraction or a number outside
 * int64_t) or WEFT_ERR_INVALID_ARGUMENT (NULL argument, or a pointer that does not start with
 * '/'), leaving *out unchanged; weft_last_error names the pointer and what was found.
 * WEFT_ERR_UNSUPPORTED when the host predates ABI 1.2. The config changes only when a reconfigure
 * hook (5, ABI 1.4) returned WEFT_OK; strings read from an earlier config stay valid until destroy
 * returns: any thread, from init until destroy returns.
 * ------------------------------------------------------------------------------------------ */

/* An integer (a JSON number without a fraction that fits in int64_t). */
static inline weft_status weft_config_get_int(weft_host* host, const char* pointer, int64_t* out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), config_get_int)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->config_get_int(host, pointer, out);
}
/* Any JSON number. */
static inline weft_status weft_config_get_double(weft_host* host, const char* pointer,
                                                 double* out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), config_get_double)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->config_get_double(host, pointer, out);
}
/* true or false, as 1 or 0. */
static inline weft_status weft_config_get_bool(weft_host* host, const char* pointer, int* out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), config_get_bool)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->config_get_bool(host, pointer, out);
}
/* A string: *out is host-owned, NUL-terminated and valid until destroy returns; *len (if len is
 * not NULL) its length in bytes (the string may hold NULs). */
static inline weft_status weft_config_get_string(weft_host* host, const char* pointer,
                                                 const char** out, size_t* len) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), config_get_string)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->config_get_string(host, pointer, out, len);
}
/* The number of elements of an array (read them as pointer + "/0", "/1", ...). */
static inline weft_status weft_config_get_array_length(weft_host* host, const char* pointer,
                                                       size_t* out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    if (!WEFT_API_HAS(WEFT__API(host), config_get_array_length)) return WEFT_ERR_UNSUPPORTED;
    return WEFT__API(host)->config_get_array_length(host, pointer, out);
}

/* --------------------------------------------------------------------------------------------
 * 6.12 Network (ABI 1.2): TCP, Unix-domain and UDP sockets, name resolution
 *
 * The host's runtime owns the sockets: they are non-blocking, and readiness comes from the
 * runtime's event loop. The task that reads or writes makes the syscall itself when the socket is
 * ready, so a ready socket costs no thread hop; when it is not ready the call registers the task's
 * waker and returns WEFT_PENDING, as every host operation does.
 *
 * Addresses are text: "127.0.0.1:8080", "[::1]:8080" for listen, bind and send_to (numeric
 * only); weft_tcp_connect also takes "host:port" and resolves it first (on the blocking pool),
 * trying each address in turn. Unix-domain sockets take a file system path. Addresses the host
 * writes into a buffer are NUL-terminated and truncated to fit.
 *
 * Waiting. Accept, read, write, send_to and recv_from need no operation slot: the handle holds
 * the wait (one reading and one writing task at a time per handle; a second one replaces the
 * first one's wake-up). They are cancel-safe: a call that returned WEFT_PENDING did nothing; to
 * give up, stop calling (a timeout that wins loses no bytes, no datagram, no connection).
 * Connect and resolve keep state between calls in an operation slot (the poll protocol);
 * cancelling them with weft_op_cancel closes the half-open socket or abandons the answer.
 *
 * Statuses. Besides those of every call: WEFT_ERR_CONNECTION_REFUSED, WEFT_ERR_CONNECTION_RESET,
 * WEFT_ERR_ADDRESS_IN_USE, WEFT_ERR_TIMED_OUT (a connect timeout), WEFT_ERR_SHUTDOWN (the runtime
 * is shutting down and closed the socket), WEFT_ERR_IO for any other error of the OS; in every
 * case weft_last_error says what failed, where and why ("connect 127.0.0.1:6379: connection
 * refused").
 *
 * Ownership. Listener, stream and UDP handles are the plugin's until it closes them with the
 * matching _close (once, from any thread, never while another call on the same handle is in
 * progress); the host closes what is left after `destroy`. Closing a stream closes the
 * connection (the peer reads the end of the stream).
 *
 * Every function below returns WEFT_ERR_UNSUPPORTED on a host older than ABI 1.2.
 * ------------------------------------------------------------------------------------------ */

#define WEFT__NET_CALL(api, member, args) \
    (WEFT_API_HAS((api), member) ? (api)->member args : WEFT_ERR_UNSUPPORTED)

/* Listens on `address` ("127.0.0.1:0": a free port, see weft_listener_local_addr) with room for
 * `backlog` connections not yet accepted (<= 0: the system's default). *out is the plugin's; close
 * it with weft_listener_close. Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT (not a numeric
 * address), WEFT_ERR_ADDRESS_IN_USE, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO. Any thread, hooks
 * included. */
static inline weft_status weft_tcp_listen(weft_host* host, const char* address, int backlog,
                                          weft_listener** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), tcp_listen, (host, address, backlog, out));
}
/* Listens on the Unix-domain socket `path` (which must not exist: remove a stale one first; the
 * host does not remove it at close). Returns as weft_tcp_listen. Any thread. */
static inline weft_status weft_unix_listen(weft_host* host, const char* path, int backlog,
                                           weft_listener** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), unix_listen, (host, path, backlog, out));
}
/* Accepts the next connection into *out (close it with weft_stream_close). Returns WEFT_OK,
 * WEFT_PENDING, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO (e.g. too many open files: the connection
 * stays queued; accept again later). Cancel-safe: a pending accept took no connection. One task
 * at a time per listener. */
static inline weft_status weft_tcp_accept(weft_context* cx, weft_listener* listener,
                                          weft_stream** out) {
    if (!listener) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(listener), listener_accept, (cx, listener, out));
}
/* The same for a Unix-domain listener. */
static inline weft_status weft_unix_accept(weft_context* cx, weft_listener* listener,
                                           weft_stream** out) {
    return weft_tcp_accept(cx, listener, out);
}
/* Writes the listener's address ("127.0.0.1:41234", or the path) into buf. Returns WEFT_OK or
 * WEFT_ERR_INVALID_ARGUMENT. Any thread. */
static inline weft_status weft_listener_local_addr(weft_listener* listener, char* buf,
                                                   size_t size) {
    if (!listener) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(listener), listener_local_addr, (listener, buf, size));
}
/* Closes the listener (connections queued but not accepted are reset). Any thread; once. */
static inline void weft_listener_close(weft_listener* listener) {
    if (listener && WEFT_API_HAS(WEFT__API(listener), listener_close))
        WEFT__API(listener)->listener_close(listener);
}

/* Connects to `address` ("10.0.0.7:6379" or "host:port"), giving up after timeout_ns
 * nanoseconds from the first call (0: no limit). On WEFT_OK *out is the plugin's stream. Returns
 * WEFT_OK, WEFT_PENDING, WEFT_ERR_INVALID_ARGUMENT (malformed address), WEFT_ERR_NOT_FOUND (the
 * name did not resolve), WEFT_ERR_CONNECTION_REFUSED, WEFT_ERR_TIMED_OUT, WEFT_ERR_SHUTDOWN or
 * WEFT_ERR_IO. The arguments are read by the first call; later calls for the same pending
 * operation ignore them. Cancel-safe: a cancelled connect closes its half-open socket. */
static inline weft_status weft_tcp_connect(weft_context* cx, weft_host* host, const char* address,
                                           uint64_t timeout_ns, weft_stream** out, weft_op** op) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), tcp_connect, (cx, host, address, timeout_ns, out, op));
}
/* Connects to the Unix-domain socket at `path`. Returns as weft_tcp_connect (a full backlog is
 * WEFT_ERR_IO at once, as the kernel reports it). Cancel-safe. */
static inline weft_status weft_unix_connect(weft_context* cx, weft_host* host, const char* path,
                                            uint64_t timeout_ns, weft_stream** out, weft_op** op) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), unix_connect, (cx, host, path, timeout_ns, out, op));
}

/* Reads what is available, at most len bytes, into buf: WEFT_OK with *n >= 1, or *n == 0 at the
 * end of the stream (the peer shut down its side). Returns WEFT_OK, WEFT_PENDING,
 * WEFT_ERR_CONNECTION_RESET, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO. Cancel-safe: a read that returned
 * WEFT_PENDING took no bytes. One reading task at a time per stream. */
static inline weft_status weft_stream_read(weft_context* cx, weft_stream* stream, void* buf,
                                           size_t len, size_t* n) {
    if (!stream) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(stream), stream_read, (cx, stream, buf, len, n));
}
/* Writes some of data[0..len): WEFT_OK with *n >= 1 bytes taken (maybe fewer than len: call
 * again with the rest; a peer that does not read makes the writer wait, which is the
 * backpressure). Returns WEFT_OK, WEFT_PENDING, WEFT_ERR_CONNECTION_RESET, WEFT_ERR_SHUTDOWN or
 * WEFT_ERR_IO. Cancel-safe: a write that returned WEFT_PENDING wrote nothing. One writing task at
 * a time per stream (one task may read while another writes). */
static inline weft_status weft_stream_write(weft_context* cx, weft_stream* stream, const void* data,
                                            size_t len, size_t* n) {
    if (!stream) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(stream), stream_write, (cx, stream, data, len, n));
}
/* Shuts the write side down: the peer reads the end of the stream; this side may still read.
 * Returns WEFT_OK, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO. Any thread. */
static inline weft_status weft_stream_shutdown(weft_stream* stream) {
    if (!stream) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(stream), stream_shutdown, (stream));
}
/* Sets TCP_NODELAY (send small writes at once). WEFT_ERR_UNSUPPORTED on a Unix stream. */
static inline weft_status weft_stream_set_nodelay(weft_stream* stream, int on) {
    if (!stream) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(stream), stream_set_nodelay, (stream, on));
}
/* Writes the peer's address into buf. Returns WEFT_OK or WEFT_ERR_INVALID_ARGUMENT. */
static inline weft_status weft_stream_peer_addr(weft_stream* stream, char* buf, size_t size) {
    if (!stream) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(stream), stream_peer_addr, (stream, buf, size));
}
/* Closes the stream and its connection. Any thread; once. */
static inline void weft_stream_close(weft_stream* stream) {
    if (stream && WEFT_API_HAS(WEFT__API(stream), stream_close))
        WEFT__API(stream)->stream_close(stream);
}

/* Binds a UDP socket to `address` ("127.0.0.1:0": a free port). Returns WEFT_OK,
 * WEFT_ERR_INVALID_ARGUMENT, WEFT_ERR_ADDRESS_IN_USE, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO. Any
 * thread. */
static inline weft_status weft_udp_bind(weft_host* host, const char* address, weft_udp** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), udp_bind, (host, address, out));
}
/* Fixes the peer of weft_udp_send_to(address NULL); datagrams from elsewhere are then dropped.
 * Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT or WEFT_ERR_IO. Any thread. */
static inline weft_status weft_udp_connect(weft_udp* udp, const char* address) {
    if (!udp) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(udp), udp_connect, (udp, address));
}
/* Sends one datagram to `address` (NULL: the connected peer); *n is the bytes sent (len).
 * Returns WEFT_OK, WEFT_PENDING, WEFT_ERR_INVALID_ARGUMENT, WEFT_ERR_CONNECTION_REFUSED (an
 * earlier datagram to a connected peer was refused), WEFT_ERR_SHUTDOWN or WEFT_ERR_IO.
 * Cancel-safe: nothing was sent while it returned WEFT_PENDING. */
static inline weft_status weft_udp_send_to(weft_context* cx, weft_udp* udp, const void* data,
                                           size_t len, const char* address, size_t* n) {
    if (!udp) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(udp), udp_send_to, (cx, udp, data, len, address, n));
}
/* Receives one datagram into buf (truncated to len: *n is its full length, so *n > len says
 * bytes were cut) and writes the sender's address into `from` (may be NULL). Returns WEFT_OK,
 * WEFT_PENDING, WEFT_ERR_SHUTDOWN or WEFT_ERR_IO. Cancel-safe: a pending receive took no
 * datagram. One receiving task at a time per socket. */
static inline weft_status weft_udp_recv_from(weft_context* cx, weft_udp* udp, void* buf, size_t len,
                                             size_t* n, char* from, size_t from_size) {
    if (!udp) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(udp), udp_recv_from, (cx, udp, buf, len, n, from, from_size));
}
/* Writes the socket's own address into buf. Returns WEFT_OK or WEFT_ERR_INVALID_ARGUMENT. */
static inline weft_status weft_udp_local_addr(weft_udp* udp, char* buf, size_t size) {
    if (!udp) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(udp), udp_local_addr, (udp, buf, size));
}
/* Closes the socket. Any thread; once. */
static inline void weft_udp_close(weft_udp* udp) {
    if (udp && WEFT_API_HAS(WEFT__API(udp), udp_close)) WEFT__API(udp)->udp_close(udp);
}

/* Resolves "host:port" (on the blocking pool: a DNS lookup may take seconds) and writes the
 * addresses into `out`, separated by '\n' and NUL-terminated, as many whole ones as fit; *count
 * is how many were found (more than written if out was too small). Returns WEFT_OK,
 * WEFT_PENDING, WEFT_ERR_INVALID_ARGUMENT (no ":port"), WEFT_ERR_NOT_FOUND (the name does not
 * resolve) or WEFT_ERR_SHUTDOWN. Cancel-safe: a cancelled lookup's answer is dropped. */
static inline weft_status weft_resolve(weft_context* cx, weft_host* host, const char* host_port,
                                       char* out, size_t out_size, size_t* count, weft_op** op) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), resolve,
                          (cx, host, host_port, out, out_size, count, op));
}

/* ------------------------------------------------------------------------------------------
 * 6.13 Plugin metrics and the state directory (ABI 1.3)
 *
 * A plugin publishes its own figures; the host keeps them per plugin and shows them in the admin
 * endpoint: in /metrics as `weft_plugin_<name>{plugin="<instance>",<labels>} <value>` (a
 * counter's name should end in `_total`, as Prometheus advises), and in /status under the plugin,
 * as "metrics": [{"name", "type", "labels", "value"}]. A series is a metric name with one set of
 * label values; it is created by its first update and lives as long as the plugin instance.
 *
 * Names. A metric name matches [a-zA-Z_][a-zA-Z0-9_]* and has at most 128 bytes; a label name
 * the same, not starting with "__" and not "plugin" (the host adds that one); a label value is
 * any UTF-8 text of at most 256 bytes (the host escapes it). At most 8 labels per series, each
 * name once. A metric name is a counter or a gauge, never both.
 *
 * Bounds. A plugin has at most 1024 series: an update that would create one more returns
 * WEFT_ERR_FULL (logged once by the host, with the plugin's and the metric's names) and changes
 * nothing; updates of existing series still work.
 *
 * Thread-safety: any thread, any time between init and destroy; updates are not ordered with
 * other calls. On a host older than 1.3 every function below returns WEFT_ERR_UNSUPPORTED.
 * ------------------------------------------------------------------------------------------ */

/* Adds `delta` to the counter `name` with these labels (label_count may be 0, labels then NULL).
 * Returns WEFT_OK, WEFT_ERR_INVALID_ARGUMENT (a name or value breaking the rules above;
 * weft_last_error says which), WEFT_ERR_MISMATCH (`name` is a gauge) or WEFT_ERR_FULL (a new
 * series past the plugin's bound). A counter wraps at 2^64 as Prometheus counters may. */
static inline weft_status weft_metric_counter_add(weft_host* host, const char* name,
                                                  const weft_metric_label* labels,
                                                  size_t label_count, uint64_t delta) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), metric_counter_add,
                          (host, name, labels, label_count, delta));
}
/* Sets the gauge `name` with these labels to `value` (finite). Returns as
 * weft_metric_counter_add, WEFT_ERR_MISMATCH when `name` is a counter, and
 * WEFT_ERR_INVALID_ARGUMENT for a NaN or infinite value. */
static inline weft_status weft_metric_gauge_set(weft_host* host, const char* name,
                                                const weft_metric_label* labels, size_t label_count,
                                                double value) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), metric_gauge_set,
                          (host, name, labels, label_count, value));
}
/* The daemon's state directory (crash_loop.state_directory, else systemd's $STATE_DIRECTORY,
 * else /var/lib/weft), where a plugin keeps what must survive a restart; a plugin should use a
 * file or folder named after its instance (weft_host_name). *out is host-owned, NUL-terminated,
 * valid until destroy; *len its length. The directory may not exist yet and may not be
 * writable: the plugin creates what it needs and reports a failure. Returns WEFT_OK, or
 * WEFT_ERR_UNSUPPORTED on an older host. */
static inline weft_status weft_state_directory(weft_host* host, const char** out, size_t* len) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), state_directory, (host, out, len));
}

/* --------------------------------------------------------------------------------------------
 * 6.14 Pools (ABI 1.3): named pools the operator sizes in the config's `pools` section
 *
 * A tcp pool hands out connected weft_stream handles to its address: read and write them with
 * the 6.12 calls, then give each back with weft_pool_release (it is reused) or, if a read or a
 * write failed or the protocol got out of step, weft_pool_discard (it is closed and never handed
 * out again). The host also closes, instead of reusing, a connection the peer closed or reset
 * and one with unread bytes in it. A resource pool hands out slots (out is NULL): the SDK's
 * generic pool (weft/sdk/pool.hpp) keeps the plugin's own resources in them.
 *
 * Limits. At most max_size connections are open at once; min_idle are kept open in the
 * background; idle ones are closed after idle_timeout, all at max_lifetime. Waiters are served
 * first come, first served. An acquire waits at most acquire_timeout, then fails with
 * WEFT_ERR_EXHAUSTED ("pool 'cache' exhausted: 16 of 16 in use, 3 other(s) waiting, gave up
 * after 2000 ms" in weft_last_error) or, when connecting failed all that time, with
 * WEFT_ERR_TIMED_OUT ("pool 'cache': no connection within 2000 ms: creating failed: connect
 * 127.0.0.1:6379: connection refused"). Failed connects are retried with backoff and logged once
 * per burst. A pool whose address is down delays only the tasks acquiring from it.
 *
 * Shutdown. Idle connections close at once; acquires fail with WEFT_ERR_SHUTDOWN; a connection
 * acquired earlier stays usable until released, then closes. What the plugin still holds after
 * destroy is closed by the host.
 *
 * Ownership. A weft_pool is the plugin's until weft_pool_close; release what it acquired first
 * (what is still acquired when the handle closes is counted as discarded). An acquired
 * weft_stream is the plugin's until it passes it to weft_pool_release or weft_pool_discard of the
 * handle that acquired it (closing it with weft_stream_close discards it when the pool handle
 * closes). Every function below returns
 * WEFT_ERR_UNSUPPORTED on a host older than ABI 1.3.
 * ------------------------------------------------------------------------------------------ */

/* Opens the pool `name` declared in the config. Returns WEFT_OK, WEFT_ERR_NOT_FOUND (no such
 * pool: weft_last_error lists the declared ones) or WEFT_ERR_SHUTDOWN. Any thread, hooks
 * included. */
static inline weft_status weft_pool_open(weft_host* host, const char* name, weft_pool** out) {
    if (!host) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(host), pool_open, (host, name, out));
}
/* Closes the handle (connections it acquired stay the plugin's until released). Once. */
static inline void weft_pool_close(weft_pool* pool) {
    if (pool && WEFT_API_HAS(WEFT__API(pool), pool_close)) WEFT__API(pool)->pool_close(pool);
}
/* Fills *out (set out->size first) with the pool's limits and state. Returns WEFT_OK or
 * WEFT_ERR_INVALID_ARGUMENT. Any thread. */
static inline weft_status weft_pool_query(weft_pool* pool, weft_pool_info* out) {
    if (!pool) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(pool), pool_query, (pool, out));
}
/* Acquires a connection into *out (a tcp pool) or a slot (a resource pool: pass out NULL).
 * Returns WEFT_OK, WEFT_PENDING, WEFT_ERR_EXHAUSTED, WEFT_ERR_TIMED_OUT (connecting failed
 * until acquire_timeout) or WEFT_ERR_SHUTDOWN. Keeps its place in line in the operation slot.
 * Cancel-safe: weft_op_cancel gives up the place in line (or the connect in progress) and takes
 * nothing. */
static inline weft_status weft_pool_acquire(weft_context* cx, weft_pool* pool, weft_stream** out,
                                            weft_op** op) {
    if (!pool) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(pool), pool_acquire, (cx, pool, out, op));
}
/* Gives an acquired connection (or, conn NULL, a resource pool's slot) back for reuse; the
 * handle is invalid afterwards. Returns WEFT_OK or WEFT_ERR_INVALID_ARGUMENT (a stream this pool
 * did not hand out). Any thread. */
static inline weft_status weft_pool_release(weft_pool* pool, weft_stream* conn) {
    if (!pool) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(pool), pool_release, (pool, conn));
}
/* Gives an acquired connection back as broken: it is closed and never handed out again (a
 * resource pool: the slot is freed and a broken close counted). Returns as weft_pool_release. */
static inline weft_status weft_pool_discard(weft_pool* pool, weft_stream* conn) {
    if (!pool) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(pool), pool_discard, (pool, conn));
}
/* A resource pool's plugin reports an event (weft_pool_event) for the pool's metrics. Returns
 * WEFT_OK or WEFT_ERR_INVALID_ARGUMENT (a tcp pool, an unknown event). Any thread. */
static inline weft_status weft_pool_record(weft_pool* pool, weft_pool_event event, uint64_t value) {
    if (!pool) return WEFT_ERR_INVALID_ARGUMENT;
    return WEFT__NET_CALL(WEFT__API(pool), pool_record, (pool, event, value));
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_PLUGIN_H */
