/* A minimal C plugin built out of tree against the installed SDK (plugin.h only). */
#include <weft/plugin.h>

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    (void)error;
    (void)error_size;
    *instance = args->host;
    weft_log(args->host, WEFT_LOG_INFO, "hello from C");
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("hello-c", "0.0.2"), init, NULL, NULL, NULL, NULL, NULL, NULL};
    return &d;
}
