/* Built as a plugin of ABI 1.0 would be (it declares minor 0 and uses nothing added since): a
 * newer host must keep loading and running it. */
#include "weft/plugin.h"

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    (void)error;
    (void)error_size;
    *instance = args->host;
    weft_log(args->host, WEFT_LOG_INFO, "older-minor: init");
    return WEFT_OK;
}

static void destroy(void* instance) {
    weft_log((weft_host*)instance, WEFT_LOG_INFO, "older-minor: destroy");
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {sizeof(weft_plugin_descriptor),
                                             WEFT_PLUGIN_ABI_MAJOR,
                                             0,
                                             "older-minor",
                                             "1.0.0",
                                             init,
                                             NULL,
                                             NULL,
                                             destroy,
                                             NULL,
                                             NULL,
                                             NULL};
    return &d;
}
