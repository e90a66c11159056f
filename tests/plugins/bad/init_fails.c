/* init spawns a task that never finishes on its own, then fails with a message: the host must
 * log the message, cancel that task (its drop runs), skip destroy and unload the plugin. */
#include "weft/plugin.h"

static weft_host* g_host; /* for destroy's log line */

static weft_status forever(void* state, weft_context* cx) {
    (void)state;
    (void)cx;
    return WEFT_PENDING; /* never woken: only cancellation ends it */
}

static void dropped(void* state) {
    weft_host* host = (weft_host*)state;
    weft_log(host, WEFT_LOG_INFO, "init-fails: pending task dropped");
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    (void)instance;
    g_host = args->host;
    weft_task_spawn(args->host, forever, args->host, dropped, NULL);
    weft_error_set(error, error_size, "cannot open /nonexistent/device (config key \"%s\")",
                   "device");
    return WEFT_ERR_PLUGIN;
}

static void destroy(void* instance) {
    (void)instance;
    /* Must never run: init failed. The test looks for this line. */
    weft_log(g_host, WEFT_LOG_ERROR, "init-fails: destroy called after a failed init");
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("init-fails", "1.0.0"), init, NULL, NULL, destroy, NULL, NULL, NULL};
    return &d;
}
