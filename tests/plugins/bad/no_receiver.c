/* Sends into an mpsc channel whose only receiver closed its handle, and logs what each step
 * returned, so a test can check plugin.h 6.7's "no receiver" rules. One task, in order:
 *   1. opens "solo" (mpsc, capacity 1) to send, and try_sends one message: nobody ever received
 *      yet, so it is accepted and buffered (the channel is now full);
 *   2. opens a receiver and closes it; try_send then returns WEFT_ERR_NO_RECEIVER;
 *   3. opens a receiver again and starts an awaited send (pending: the channel is full), closes
 *      the receiver while the send waits: the send is woken and returns WEFT_ERR_NO_RECEIVER;
 *   4. opens a receiver again: it receives the message buffered in step 1, and try_send is
 *      accepted again.
 * Built twice: as an ABI 1.2 plugin, and with -DNO_RECEIVER_LEGACY_ABI as an ABI 1.1 one, which
 * must never see the 1.2 status. */
#include <stdlib.h>
#include <string.h>

#include "weft/plugin.h"

struct sequence {
    weft_host* host;
    weft_channel* tx;
    weft_channel* rx;
    weft_op* op;
    int step;
};

static const char kMessage[] = "m";

static void report(struct sequence* s, const char* what, weft_status status) {
    weft_logf(s->host, WEFT_LOG_INFO, "no_receiver: %s: %s", what, weft_status_str(status));
}

static weft_status open_rx(struct sequence* s) {
    return weft_channel_open(s->host, "solo", WEFT_CHANNEL_MPSC, 1, WEFT_CHANNEL_RECV, &s->rx);
}

static weft_status poll_sequence(void* state, weft_context* cx) {
    struct sequence* s = (struct sequence*)state;
    weft_status st;
    if (s->step == 0) {
        st = weft_channel_open(s->host, "solo", WEFT_CHANNEL_MPSC, 1, WEFT_CHANNEL_SEND, &s->tx);
        if (st != WEFT_OK) return st;
        report(s, "try_send before any receiver", weft_channel_try_send(s->tx, kMessage, 1));
        if (open_rx(s) != WEFT_OK) return WEFT_ERR_PLUGIN;
        weft_channel_close(s->rx);
        s->rx = NULL;
        report(s, "try_send after the receiver closed", weft_channel_try_send(s->tx, kMessage, 1));
        if (open_rx(s) != WEFT_OK) return WEFT_ERR_PLUGIN;
        s->step = 1;
    }
    if (s->step == 1) {
        st = weft_channel_send(cx, s->tx, kMessage, 1, &s->op);
        if (st == WEFT_PENDING && s->rx) {
            weft_channel_close(s->rx); /* the last receiver leaves while the send waits */
            s->rx = NULL;
            return WEFT_PENDING;
        }
        if (st == WEFT_PENDING) return WEFT_PENDING;
        report(s, "pending send after the receiver closed", st);
        s->step = 2;
    }
    {
        weft_message m = WEFT_MESSAGE_INIT;
        if (open_rx(s) != WEFT_OK) return WEFT_ERR_PLUGIN;
        st = weft_channel_try_recv(s->rx, &m);
        report(s, "try_recv after reopening", st);
        if (st == WEFT_OK) weft_message_release(&m);
        report(s, "try_send after reopening", weft_channel_try_send(s->tx, kMessage, 1));
        weft_channel_close(s->rx);
        s->rx = NULL;
        weft_channel_close(s->tx);
        s->tx = NULL;
    }
    weft_log(s->host, WEFT_LOG_INFO, "no_receiver: done");
    return WEFT_OK;
}

static void drop_sequence(void* state) {
    struct sequence* s = (struct sequence*)state;
    weft_op_cancel(&s->op);
    weft_channel_close(s->rx);
    weft_channel_close(s->tx);
    free(s);
}

static weft_status init(const weft_init_args* args, void** out, char* error, size_t error_size) {
    struct sequence* s = (struct sequence*)calloc(1, sizeof *s);
    if (!s) return WEFT_ERR_NO_MEMORY;
    s->host = args->host;
    if (weft_task_spawn(args->host, poll_sequence, s, drop_sequence, NULL) != WEFT_OK) {
        weft_error_set(error, error_size, "spawn: %s", weft_last_error(args->host));
        free(s);
        return WEFT_ERR_PLUGIN;
    }
    *out = NULL;
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
#ifdef NO_RECEIVER_LEGACY_ABI
    static const weft_plugin_descriptor d = {sizeof(weft_plugin_descriptor),
                                             WEFT_PLUGIN_ABI_MAJOR,
                                             1,
                                             "no_receiver_1_1",
                                             "1.0.0",
                                             init,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL};
#else
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("no_receiver", "1.0.0"), init, NULL, NULL, NULL, NULL, NULL, NULL};
#endif
    return &d;
}
