/* Built as a plugin of ABI 1.1 was: its descriptor ends after `validate` (1.2 appended the
 * manifest), so the host must neither read a manifest from it nor refuse it. The struct below is
 * the 1.1 layout, copied, as an old plugin's compiler saw it. */
#include "weft/plugin.h"

typedef struct descriptor_1_1 {
    size_t size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char* name;
    const char* version;
    weft_status (*init)(const weft_init_args* args, void** instance, char* error,
                        size_t error_size);
    weft_status (*start)(void* instance, char* error, size_t error_size);
    weft_status (*stop)(void* instance, char* error, size_t error_size);
    void (*destroy)(void* instance);
    weft_status (*validate)(const char* config_json, size_t config_len, char* error,
                            size_t error_size);
} descriptor_1_1;

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    (void)error;
    (void)error_size;
    *instance = args->host;
    weft_log(args->host, WEFT_LOG_INFO, "abi-1.1: init");
    return WEFT_OK;
}

static void destroy(void* instance) {
    weft_log((weft_host*)instance, WEFT_LOG_INFO, "abi-1.1: destroy");
}

/* The 1.1 descriptor followed by bytes that would be a bogus manifest pointer if the host read
 * past the descriptor's size. */
static const struct {
    descriptor_1_1 d;
    const void* poison;
} entry = {{sizeof(descriptor_1_1), WEFT_PLUGIN_ABI_MAJOR, 1, "abi-1.1", "1.1.0", init, NULL, NULL,
            destroy, NULL},
           (const void*)0x1};

WEFT_PLUGIN_ENTRY { return (const weft_plugin_descriptor*)(const void*)&entry.d; }
